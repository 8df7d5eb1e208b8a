package dev.outrigger.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Content negotiation on Accept-Encoding (RFC 9110 §12.5.3): which content codings a request accepts, and
 * whether a stored response in a given coding may be served to it.
 */
public final class ContentCoding {

    private ContentCoding() {}

    /**
     * A parsed Accept-Encoding field: the weight of each coding it names (canonical names, q in
     * thousandths, so q=0.000 is 0 exactly) and of {@code *}. An element named twice counts once, by its
     * first occurrence, as duplicate Cache-Control directives do.
     */
    record Accepted(Map<String, Integer> weights) {

        Accepted {
            weights = Map.copyOf(weights);
        }

        /** Whether the coding (a canonical name) is acceptable; identity is unless refused (§12.5.3). */
        boolean accepts(String coding) {
            Integer q = weights.get(coding);
            if (q != null) {
                return q > 0;
            }
            Integer any = weights.get("*"); // "*" stands for every coding not listed, identity included
            if (any != null) {
                return any > 0;
            }
            return coding.equals("identity");
        }
    }

    /**
     * Whether a stored response may be served to {@code request} as far as content coding goes: every coding
     * in its Content-Encoding (none: identity) must be acceptable. Without Accept-Encoding, anything is; an
     * empty Accept-Encoding accepts identity only.
     */
    public static boolean acceptable(Headers request, Headers storedResponse) {
        List<String> lines = request.all("Accept-Encoding");
        if (lines.isEmpty()) {
            return true; // §12.5.3: no field, any coding is acceptable
        }
        Accepted accepted = parse(lines);
        List<String> codings = storedResponse.tokens("Content-Encoding");
        if (codings.isEmpty()) {
            return accepted.accepts("identity");
        }
        for (String coding : codings) {
            if (!accepted.accepts(canonical(coding))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the request says it accepts {@code coding} (q above 0, by name or by {@code *}): the test for sending a
     * body this cache coded itself. Unlike {@link #acceptable}, a request without Accept-Encoding does not: §12.5.3
     * allows any coding then, but clients that send none mostly cannot decode one.
     */
    public static boolean explicitlyAccepts(Headers request, String coding) {
        List<String> lines = request.all("Accept-Encoding");
        return !lines.isEmpty() && parse(lines).accepts(canonical(coding));
    }

    /** Parses every Accept-Encoding line; malformed elements are skipped, an invalid weight is q=0. */
    static Accepted parse(List<String> lines) {
        Map<String, Integer> weights = new HashMap<>();
        for (String line : lines) {
            for (String element : line.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].trim();
                if (coding.isEmpty() || !isToken(coding)) {
                    continue;
                }
                int q = 1000;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    int eq = p.indexOf('=');
                    if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("q")) {
                        q = Math.max(qvalue(p.substring(eq + 1).trim()), 0); // invalid: treated as refused
                        break;
                    }
                }
                weights.putIfAbsent(canonical(coding), q);
            }
        }
        return new Accepted(weights);
    }

    /** A coding name, lowercase, with the legacy aliases of RFC 9110 §8.4.1.1 and §8.4.1.3 resolved. */
    static String canonical(String coding) {
        String c = coding.trim().toLowerCase(Locale.ROOT);
        return switch (c) {
            case "x-gzip" -> "gzip";
            case "x-compress" -> "compress";
            default -> c;
        };
    }

    /**
     * A qvalue (RFC 9110 §12.4.2) in thousandths: "0" [ "." 0*3DIGIT ] or "1" [ "." 0*3("0") ]; -1 when
     * the value does not follow that grammar.
     */
    static int qvalue(String v) {
        if (v.isEmpty() || v.length() > 5 || (v.charAt(0) != '0' && v.charAt(0) != '1')) {
            return -1;
        }
        int units = v.charAt(0) - '0';
        if (v.length() == 1) {
            return units * 1000;
        }
        if (v.charAt(1) != '.') {
            return -1;
        }
        int fraction = 0;
        int scale = 100;
        for (int i = 2; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            fraction += (c - '0') * scale;
            scale /= 10;
        }
        if (units == 1 && fraction != 0) {
            return -1;
        }
        return units * 1000 + fraction;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
