package dev.outrigger.cache;

import dev.outrigger.rules.KeyComponent;
import java.util.List;

/**
 * The primary cache key (RFC 9111 §2): scheme, authority and normalised target, then every other request
 * part that changes the upstream's answer (trusted forwarding headers, and what a route keys on: headers,
 * cookies, the user's hash), each as a typed, length-prefixed component so that no value can pass for
 * another component, another kind, or two. Braces are escaped, so no key is a Redis Cluster hash tag (all
 * of one tag's keys would land on one node).
 *
 * @param scheme lowercase scheme the request arrived with
 * @param authority normalised host[:port] (or the configured key host)
 * @param target normalised origin-form path and query (as the route keys it)
 * @param parts further components, in the order the proxy and the route give them
 */
public record CacheKey(String scheme, String authority, String target, List<KeyComponent> parts) {

    public CacheKey {
        parts = List.copyOf(parts);
    }

    public CacheKey(String scheme, String authority, String target) {
        this(scheme, authority, target, List.of());
    }

    /**
     * The key as stored: {@code scheme://authority/target}, then per component a line
     * {@code <kind><len>:<name>} followed by {@code =<len>:<value>}, or {@code !} when the request lacks it.
     */
    public String value() {
        StringBuilder sb = new StringBuilder(scheme.length() + authority.length() + target.length() + 8);
        sb.append(scheme).append("://");
        escaped(sb, authority);
        escaped(sb, target);
        for (KeyComponent part : parts) {
            sb.append('\n').append(part.kind().code());
            lengthPrefixed(sb, part.name());
            if (part.value().isPresent()) {
                sb.append('=');
                lengthPrefixed(sb, part.value().get());
            } else {
                sb.append('!');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return value();
    }

    /** {@code <len>:<escaped>}: the length of what is written, so no escaped value can pass for another part or for two. */
    private static void lengthPrefixed(StringBuilder sb, String raw) {
        StringBuilder value = new StringBuilder(raw.length() + 4);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            // a raw header value: '%' is escaped too, so "{" and a literal "%7B" stay apart
            if (c == '%') {
                value.append("%25");
            } else {
                escaped(value, String.valueOf(c));
            }
        }
        sb.append(value.length()).append(':').append(value);
    }

    private static void escaped(StringBuilder sb, String s) {
        if (s.indexOf('{') < 0 && s.indexOf('}') < 0) {
            sb.append(s); // the usual case: nothing to escape, one copy
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '{' -> sb.append("%7B");
                case '}' -> sb.append("%7D");
                default -> sb.append(c);
            }
        }
    }
}
