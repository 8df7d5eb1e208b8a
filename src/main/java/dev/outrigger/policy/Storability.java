package dev.outrigger.policy;

import java.util.Set;

/** Whether a shared cache may store a response at all (RFC 9111 §3), before any question of freshness. */
public final class Storability {

    /** The answer, with the reason when it is no: reasons end up in logs and the Cache-Status header. */
    public sealed interface Verdict permits Storable, NotStorable {}

    public record Storable() implements Verdict {}

    public record NotStorable(String reason) implements Verdict {}

    /** Statuses whose caching rules this cache implements (for {@code must-understand}, RFC 9111 §5.2.2.3). */
    static final Set<Integer> UNDERSTOOD = Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501);

    private static final Storable STORABLE = new Storable();

    private Storability() {}

    /**
     * RFC 9111 §3 for a shared cache. {@code storeSetCookie}: a configured rule allows storing a response
     * that carries Set-Cookie (the header itself is then stripped before storing; never replayed).
     */
    public static Verdict forSharedCache(String method, Headers request, int status, Headers response,
                                         boolean storeSetCookie) {
        return forSharedCache(method, request, status, response, storeSetCookie, false);
    }

    /**
     * As above; {@code perUser}: the response is stored under a key of its user's alone (a per-user route
     * found the user's identity), so {@code private} and the request's credentials do not stop it: no other
     * user's request can select it.
     */
    public static Verdict forSharedCache(String method, Headers request, int status, Headers response,
                                         boolean storeSetCookie, boolean perUser) {
        if (!method.equals("GET")) {
            // HEAD is answered from a stored GET response; nothing else is cached (RFC 9111 §3, §4.3.5)
            return new NotStorable("method " + method + " is not stored");
        }
        CacheControl req = CacheControl.of(request);
        CacheControl resp = CacheControl.of(response);
        if (status < 200 || status == 206 || status == 304) {
            return new NotStorable("status " + status + " is not stored");
        }
        if (req.has("no-store")) {
            return new NotStorable("request no-store");
        }
        if (resp.has("must-understand")) {
            if (!UNDERSTOOD.contains(status)) {
                return new NotStorable("must-understand with status " + status);
            }
            // §5.2.2.3: an understood status with must-understand overrides no-store
        } else if (resp.has("no-store")) {
            return new NotStorable("no-store");
        }
        if (resp.has("private") && !perUser) {
            // §5.2.2.7: a shared cache must not store a private response (the qualified form is treated
            // the same way: storing "the rest" would still hand a per-user response to everyone).
            return new NotStorable("private");
        }
        if (request.contains("Authorization") && !perUser
                && !(resp.has("public") || resp.has("s-maxage") || resp.has("must-revalidate"))) {
            return new NotStorable("Authorization without public, s-maxage or must-revalidate"); // §3.5
        }
        if ((request.contains("Cookie") || request.contains("Authorization")) && !perUser
                && !(resp.has("s-maxage") || resp.has("max-age") || response.contains("Expires"))) {
            // A heuristic lifetime guesses at a response the origin said nothing about; for a request
            // with credentials that response is likely personal, so only the origin's word stores it
            // (public included: it allows storing, it does not say for how long).
            return new NotStorable("no explicit freshness for a request with credentials");
        }
        if (response.tokens("Vary").contains("*")) {
            return new NotStorable("Vary: *"); // §4.1: never matches a later request
        }
        if (response.contains("Set-Cookie") && !storeSetCookie) {
            return new NotStorable("Set-Cookie");
        }
        boolean explicit = resp.has("public") || resp.has("max-age") || resp.has("s-maxage")
                || response.contains("Expires");
        if (!explicit && !Freshness.HEURISTICALLY_CACHEABLE.contains(status)) {
            return new NotStorable("status " + status + " without explicit freshness");
        }
        return STORABLE;
    }
}
