package dev.outrigger.proxy;

import dev.outrigger.cache.CacheKey;
import dev.outrigger.rules.KeyComponent;
import dev.outrigger.rules.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * A request as the proxy forwards and the cache keys it, made once by {@link RequestHygiene} and then by its
 * route: what is keyed is what is forwarded.
 *
 * @param scheme lowercase scheme the request arrived with
 * @param authority the normalised authority the request is for (absolute-form target, else Host); "" for an
 *     HTTP/1.0 request without Host
 * @param target the normalised origin-form target sent upstream ({@code *} for {@code OPTIONS *})
 * @param forwarding trusted forwarding headers kept for the upstream, hence part of the key
 * @param hasBody the request carries a body (a GET or HEAD with one bypasses the cache)
 * @param methodOverride a method-override header is forwarded (allowed by configuration): not cached
 * @param trace the request as meters and the access log see it (arrival, id, outcome)
 * @param routing how the request's route takes it: the target and components it is keyed by (for an unsafe
 *     method, those of a GET for the same target: what it invalidates)
 * @param hop the aggregate part this request fetches, when an aggregate of this process sent it; else null
 */
record Inbound(String scheme, String authority, String target, List<KeyComponent> forwarding, boolean hasBody,
               boolean methodOverride, RequestTrace trace, Route.Routed routing, LoopbackHop hop) {

    Inbound {
        forwarding = List.copyOf(forwarding);
    }

    Inbound(String scheme, String authority, String target, List<KeyComponent> forwarding, boolean hasBody, boolean methodOverride,
            RequestTrace trace) {
        this(scheme, authority, target, forwarding, hasBody, methodOverride, trace, Route.Routed.unrouted(target), null);
    }

    /** A part's request, as an aggregate of this process sent it. */
    Inbound(String scheme, String authority, String target, List<KeyComponent> forwarding, boolean hasBody, boolean methodOverride,
            RequestTrace trace, LoopbackHop hop) {
        this(scheme, authority, target, forwarding, hasBody, methodOverride, trace, Route.Routed.unrouted(target), hop);
    }

    /** An aggregate's part of another service than the pod's application (fetched from it, never judged by the app's health). */
    boolean remotePart() {
        return hop != null && hop.remote();
    }

    /** The primary cache key (RFC 9111 §2) of the request as routed, as stored. */
    String key() {
        // the authority is the configured key host when there is one: RequestHygiene put it in place
        return new CacheKey(scheme, authority, routing.target(), keyParts()).value();
    }

    Route route() {
        return routing.route();
    }

    /** The request as its route takes it; {@code forwardAsKeyed}: the upstream gets the target as keyed. */
    Inbound routed(Route.Routed r, boolean forwardAsKeyed) {
        return new Inbound(scheme, authority, forwardAsKeyed ? r.target() : target, forwarding, hasBody, methodOverride, trace, r, hop);
    }

    /** Every key component after the target: the forwarding headers', then the route's. */
    List<KeyComponent> keyParts() {
        if (routing.components().isEmpty()) {
            return forwarding;
        }
        List<KeyComponent> all = new ArrayList<>(forwarding);
        all.addAll(routing.components());
        return all;
    }

    /**
     * The request fields the key covers: those the URL's responses vary on ({@code varyFields}) and those the
     * route keys. A fetch made for everyone carries them; a response fetched with them may be stored.
     */
    List<String> keyed(List<String> varyFields) {
        if (routing.keyedFields().isEmpty()) {
            return varyFields;
        }
        List<String> all = new ArrayList<>(varyFields);
        routing.keyedFields().stream().filter(f -> !all.contains(f)).forEach(all::add);
        return all;
    }
}
