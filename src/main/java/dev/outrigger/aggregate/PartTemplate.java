package dev.outrigger.aggregate;

import dev.outrigger.policy.RequestTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A part's URL as configured: relative ({@code /api/users/{id}}, the pod's own application) or absolute
 * ({@code http://orders.shop.svc:8080/orders?user={id}}, that service). Variables stand in the path and the query,
 * never in the host; each value is percent-encoded for where it stands, so a value cannot add a segment, a
 * parameter or a fragment.
 */
final class PartTemplate {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** A service an absolute part URL names: plain HTTP. */
    record Origin(String host, int port) {
        /** As a Host header and a cache key name it: the port only when not 80. */
        String authority() {
            return port == 80 ? host : host + ":" + port;
        }
    }

    private final String url;
    private final Optional<Origin> origin;
    /** Literal text and variables, alternating: literal, variable, literal, ... (literals may be empty). */
    private final List<String> pieces;
    /** Where each variable stands: true in the query. */
    private final List<Boolean> inQuery;
    private final Set<String> variables;

    private PartTemplate(String url, Optional<Origin> origin, List<String> pieces, List<Boolean> inQuery) {
        this.url = url;
        this.origin = origin;
        this.pieces = List.copyOf(pieces);
        this.inQuery = List.copyOf(inQuery);
        Set<String> names = new LinkedHashSet<>();
        for (int i = 1; i < pieces.size(); i += 2) {
            names.add(pieces.get(i));
        }
        this.variables = java.util.Collections.unmodifiableSet(names);
    }

    /** Parses {@code url}; the exception's message says what is wrong with it. */
    static PartTemplate parse(String url) {
        String u = url == null ? "" : url.trim();
        Optional<Origin> origin = Optional.empty();
        String target = u;
        if (u.regionMatches(true, 0, "https://", 0, 8)) {
            throw new IllegalArgumentException("'" + u + "': https parts are not supported; parts inside the cluster are "
                    + "plain http (a service mesh adds TLS between pods)");
        }
        if (u.regionMatches(true, 0, "http://", 0, 7)) {
            int end = firstOf(u, 7, "/?#");
            String authority = u.substring(7, end);
            if (authority.isEmpty() || authority.contains("@") || authority.contains("{")) {
                throw new IllegalArgumentException("'" + u + "': an absolute URL names its host plainly: http://host[:port]/path");
            }
            Optional<String> normalized = RequestTarget.authority(authority, "http");
            if (normalized.isEmpty()) {
                throw new IllegalArgumentException("'" + u + "': '" + authority + "' is not a host[:port]");
            }
            String a = normalized.get();
            int colon = a.lastIndexOf(':');
            boolean port = colon > a.lastIndexOf(']');
            origin = Optional.of(new Origin(port ? a.substring(0, colon) : a, port ? Integer.parseInt(a.substring(colon + 1)) : 80));
            target = end == u.length() ? "/" : u.substring(end);
            if (target.startsWith("?")) {
                target = "/" + target;
            }
        } else if (!u.startsWith("/") || u.startsWith("//")) {
            throw new IllegalArgumentException("'" + u + "': a path of the pod's application (/api/users/{id}) or an http:// URL");
        }
        if (target.contains("#")) {
            throw new IllegalArgumentException("'" + u + "': no fragment");
        }
        List<String> pieces = new ArrayList<>();
        List<Boolean> inQuery = new ArrayList<>();
        int query = target.indexOf('?');
        Matcher m = VARIABLE.matcher(target);
        int at = 0;
        while (m.find()) {
            pieces.add(target.substring(at, m.start()));
            pieces.add(m.group(1));
            inQuery.add(query >= 0 && m.start() > query);
            at = m.end();
        }
        pieces.add(target.substring(at));
        for (int i = 0; i < pieces.size(); i += 2) {
            if (pieces.get(i).contains("{") || pieces.get(i).contains("}")) {
                throw new IllegalArgumentException("'" + u + "': a variable is {name}: letters, digits and '_'");
            }
        }
        PartTemplate t = new PartTemplate(u, origin, pieces, inQuery);
        // with every variable standing for a plain value, the target must be one the proxy takes as it is
        Map<String, String> sample = new java.util.HashMap<>();
        t.variables.forEach(v -> sample.put(v, "x"));
        String expanded = t.expand(sample);
        if (RequestTarget.normalize(expanded).filter(expanded::equals).isEmpty()) {
            throw new IllegalArgumentException("'" + u + "': not a normalised request target (no spaces, '..' segments or "
                    + "stray characters; percent-encode what must be)");
        }
        return t;
    }

    private static int firstOf(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    /** The service an absolute URL names; empty for the pod's own application. */
    Optional<Origin> origin() {
        return origin;
    }

    Set<String> variables() {
        return variables;
    }

    /** The path of a relative URL with its variables as they stand (for checks against the aggregates' paths). */
    String pathTemplate() {
        String joined = String.join("", pieces);
        int q = joined.indexOf('?');
        return q < 0 ? joined : joined.substring(0, q);
    }

    /**
     * The origin-form target for these (decoded) values.
     *
     * @throws Unbound when a variable has no value
     * @throws IllegalArgumentException when a path value is {@code .} or {@code ..} (it would climb the path)
     */
    String expand(Map<String, String> values) {
        StringBuilder sb = new StringBuilder(url.length() + 32);
        for (int i = 0; i < pieces.size(); i++) {
            if (i % 2 == 0) {
                sb.append(pieces.get(i));
                continue;
            }
            String name = pieces.get(i);
            String value = values.get(name);
            if (value == null) {
                throw new Unbound(name);
            }
            boolean query = inQuery.get(i / 2);
            if (!query && (value.isEmpty() || value.equals(".") || value.equals(".."))) {
                throw new IllegalArgumentException("'" + value + "' is not a value for {" + name + "}");
            }
            encode(value, sb);
        }
        return sb.toString();
    }

    /** A variable without a value: the request lacks the query parameter. */
    static final class Unbound extends IllegalArgumentException {
        final String name;

        Unbound(String name) {
            super("missing query parameter '" + name + "'", null);
            this.name = name;
        }
    }

    /** Percent-encodes all but RFC 3986 unreserved characters: safe in a path segment and in a query name or value. */
    static void encode(String value, StringBuilder out) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    /**
     * Decodes percent-escapes (and, in a query, {@code +} as a space, as forms send it).
     *
     * @throws IllegalArgumentException for a broken escape or bytes that are not UTF-8
     */
    static String decode(String raw, boolean query) {
        if (raw.indexOf('%') < 0 && (!query || raw.indexOf('+') < 0)) {
            return raw;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("broken percent-escape in '" + raw + "'");
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && query) {
                bytes.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("'" + raw + "' is not UTF-8 once decoded");
        }
    }

    @Override
    public String toString() {
        return url;
    }
}
