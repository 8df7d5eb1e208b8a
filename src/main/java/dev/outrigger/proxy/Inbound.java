package dev.outrigger.proxy;

import java.util.List;

/**
 * A request as the proxy forwards and the cache keys it, made once by {@link RequestHygiene}: what is
 * keyed is what is forwarded.
 *
 * @param scheme lowercase scheme the request arrived with
 * @param authority the normalised authority the request is for (absolute-form target, else Host); "" for an
 *     HTTP/1.0 request without Host
 * @param target the normalised origin-form target sent upstream ({@code *} for {@code OPTIONS *})
 * @param keyParts trusted forwarding headers kept for the upstream, hence part of the key
 * @param hasBody the request carries a body (a GET or HEAD with one bypasses the cache)
 * @param methodOverride a method-override header is forwarded (allowed by configuration): not cached
 */
record Inbound(String scheme, String authority, String target, List<String> keyParts, boolean hasBody,
               boolean methodOverride) {

    Inbound {
        keyParts = List.copyOf(keyParts);
    }
}
