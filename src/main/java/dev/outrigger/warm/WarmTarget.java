package dev.outrigger.warm;

import java.util.Map;

/**
 * One request warming sends: the host it is for, its origin-form target, and headers of its own.
 *
 * @param authority the Host (keyed as client requests for it are)
 * @param target path and query, as clients ask for it
 * @param headers request headers this entry is keyed or varies on ({@code Accept-Language: fr})
 */
public record WarmTarget(String authority, String target, Map<String, String> headers) {

    public WarmTarget {
        headers = Map.copyOf(headers);
    }

    public WarmTarget(String authority, String target) {
        this(authority, target, Map.of());
    }

    @Override
    public String toString() {
        return authority + target + (headers.isEmpty() ? "" : " " + headers.keySet());
    }
}
