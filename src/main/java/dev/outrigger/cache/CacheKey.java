package dev.outrigger.cache;

import java.util.List;

/**
 * The primary cache key (RFC 9111 §2): scheme, authority and normalised target, then every other request
 * part that changes the upstream's answer (trusted forwarding headers), each as a typed, length-prefixed
 * component so that no value can pass for another component or for two. Braces are escaped, so no key
 * is a Redis Cluster hash tag (all of one tag's keys would land on one node).
 *
 * @param scheme lowercase scheme the request arrived with
 * @param authority normalised host[:port] (or the configured key host)
 * @param target normalised origin-form path and query
 * @param parts further components, e.g. {@code x-forwarded-proto=https}
 */
public record CacheKey(String scheme, String authority, String target, List<String> parts) {

    public CacheKey {
        parts = List.copyOf(parts);
    }

    public CacheKey(String scheme, String authority, String target) {
        this(scheme, authority, target, List.of());
    }

    /** The key as stored: {@code scheme://authority/target} then {@code \n<len>:<part>} per component. */
    public String value() {
        StringBuilder sb = new StringBuilder(scheme.length() + authority.length() + target.length() + 8);
        sb.append(scheme).append("://");
        escaped(sb, authority);
        escaped(sb, target);
        for (String part : parts) {
            // the length of what is written, so no escaped value can pass for another part or for two
            StringBuilder value = new StringBuilder(part.length() + 4);
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                // a raw header value: '%' is escaped too, so "{" and a literal "%7B" stay apart
                if (c == '%') {
                    value.append("%25");
                } else {
                    escaped(value, String.valueOf(c));
                }
            }
            sb.append('\n').append(value.length()).append(':').append(value);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return value();
    }

    private static void escaped(StringBuilder sb, String s) {
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
