package dev.outrigger.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * A request target reduced to one spelling per resource (RFC 3986 §6.2.2): percent-encoding normalised
 * (unreserved characters decoded, other escapes in upper-case hex, characters a URI may not hold
 * escaped), dot-segments removed ({@code /%2e%2e/} included). The cache keys on it and the proxy forwards
 * it, so two targets the application could read differently never share a key. Braces leave here
 * escaped, so no target can become a Redis Cluster hash tag.
 */
public final class RequestTarget {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** ASCII characters a path keeps as they are: unreserved, sub-delims, ':', '@', '/' (RFC 3986 §3.3). */
    private static final boolean[] PATH_KEEPS = new boolean[128];
    /** As {@link #PATH_KEEPS}, plus '?' (RFC 3986 §3.4). */
    private static final boolean[] QUERY_KEEPS = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            PATH_KEEPS[c] = isUnreserved(c) || "!$&'()*+,;=:@/".indexOf(c) >= 0;
            QUERY_KEEPS[c] = PATH_KEEPS[c] || c == '?';
        }
    }

    private RequestTarget() {}

    /** An absolute-form target split into its parts; the authority is as the client wrote it. */
    public record Absolute(String scheme, String authority, String pathAndQuery) {}

    /**
     * Splits an absolute-form target ({@code http://host:port/path?query}, RFC 9112 §3.2.2); empty when
     * {@code target} is not one (origin-form starts with {@code /}).
     */
    public static Optional<Absolute> absolute(String target) {
        int colon = target.indexOf("://");
        if (colon <= 0 || target.charAt(0) == '/') {
            return Optional.empty();
        }
        String scheme = target.substring(0, colon).toLowerCase(Locale.ROOT);
        int start = colon + 3;
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        String rest = target.substring(end);
        return Optional.of(new Absolute(scheme, target.substring(start, end), rest.startsWith("/") ? rest : "/" + rest));
    }

    /**
     * The normalised origin-form of {@code pathAndQuery} (which starts with {@code /}); empty when it is
     * malformed: a broken percent-escape, a fragment, or not origin-form at all.
     */
    public static Optional<String> normalize(String pathAndQuery) {
        if (pathAndQuery.isEmpty() || pathAndQuery.charAt(0) != '/' || pathAndQuery.indexOf('#') >= 0) {
            return Optional.empty();
        }
        int q = pathAndQuery.indexOf('?');
        String rawPath = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Optional<String> path = escapes(rawPath, false).map(RequestTarget::removeDotSegments);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        if (q < 0) {
            return path;
        }
        return escapes(pathAndQuery.substring(q + 1), true).map(query -> path.get() + "?" + query);
    }

    /**
     * A Host value (or an absolute target's authority) in one spelling: host lowercased, the scheme's
     * default port dropped (RFC 3986 §6.2.3). Empty when it is not a valid {@code host[:port]} (RFC 9112
     * §3.2: such a request gets 400): userinfo, braces, spaces, an empty host or a bad port are refused.
     */
    public static Optional<String> authority(String value, String scheme) {
        if (value == null || value.isEmpty() || value.length() > 255) {
            return Optional.empty();
        }
        String host;
        String port = null;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = value.substring(0, close + 1);
            for (int i = 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(isHex(c) || c == ':' || c == '.')) {
                    return Optional.empty();
                }
            }
            if (close + 1 < value.length()) {
                if (value.charAt(close + 1) != ':') {
                    return Optional.empty();
                }
                port = value.substring(close + 2);
            }
        } else {
            int colon = value.lastIndexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
            if (host.isEmpty()) {
                return Optional.empty();
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                // reg-name (RFC 3986 §3.2.2) as DNS names and IPv4 literals spell it: unreserved characters
                // only; escapes and sub-delims name no host a pod is reached under
                if (!isUnreserved(c)) {
                    return Optional.empty();
                }
            }
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (port == null || port.isEmpty()) {
            return Optional.of(h);
        }
        if (port.length() > 5) {
            return Optional.empty();
        }
        int p = 0;
        for (int i = 0; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
            p = p * 10 + (c - '0');
        }
        if (p > 65535) {
            return Optional.empty();
        }
        boolean defaultPort = p == 80 && "http".equals(scheme) || p == 443 && "https".equals(scheme);
        if (defaultPort) {
            return Optional.of(h);
        }
        // already in its one spelling (lowercase host, port without leading zeros): the value itself, no copy
        return Optional.of(h.equals(host) && port.charAt(0) != '0' ? value : h + ":" + p);
    }

    /**
     * Percent-encoding normalised: %XX of an unreserved character decoded, other escapes upper-cased,
     * characters outside what a path ({@code inQuery} false) or query may hold escaped. Raw bytes above
     * 0x7f arrive as one char each (the decoder reads the request line as ISO-8859-1) and are escaped.
     */
    static Optional<String> escapes(String s, boolean inQuery) {
        boolean[] keeps = inQuery ? QUERY_KEEPS : PATH_KEEPS;
        int plain = 0;
        while (plain < s.length() && s.charAt(plain) < 128 && keeps[s.charAt(plain)]) {
            plain++;
        }
        if (plain == s.length()) {
            return Optional.of(s); // already in its one spelling (the usual case): no copy
        }
        StringBuilder out = new StringBuilder(s.length() + 8).append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return Optional.empty();
                }
                int b = Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16);
                if (isUnreserved((char) b)) {
                    out.append((char) b);
                } else {
                    escape(out, b);
                }
                i += 2;
            } else if (c > 0xff) {
                return Optional.empty();
            } else if (c < 128 && keeps[c]) {
                out.append(c);
            } else {
                escape(out, c);
            }
        }
        return Optional.of(out.toString());
    }

    /** RFC 3986 §5.2.4, on a path whose unreserved escapes are already decoded (so %2E%2E counts). */
    static String removeDotSegments(String path) {
        if (!path.contains(".")) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        String in = path;
        while (!in.isEmpty()) {
            if (in.startsWith("../")) {
                in = in.substring(3);
            } else if (in.startsWith("./")) {
                in = in.substring(2);
            } else if (in.startsWith("/./")) {
                in = in.substring(2);
            } else if (in.equals("/.")) {
                in = "/";
            } else if (in.startsWith("/../")) {
                in = in.substring(3);
                dropLastSegment(out);
            } else if (in.equals("/..")) {
                in = "/";
                dropLastSegment(out);
            } else if (in.equals(".") || in.equals("..")) {
                in = "";
            } else {
                int next = in.indexOf('/', 1);
                if (next < 0) {
                    next = in.length();
                }
                out.append(in, 0, next);
                in = in.substring(next);
            }
        }
        return out.isEmpty() ? "/" : out.toString();
    }

    private static void dropLastSegment(StringBuilder out) {
        int slash = out.lastIndexOf("/");
        out.setLength(Math.max(slash, 0));
    }

    private static void escape(StringBuilder out, int b) {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                || c == '~';
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
