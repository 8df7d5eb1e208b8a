package dev.outrigger.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Secondary cache keys (RFC 9111 §4.1): the request header values a stored response varies on, normalized
 * so that requests with the same meaning share one variant.
 */
public final class Vary {

    private Vary() {}

    /** The lowercase, sorted, de-duplicated field names a response varies on; contains "*" for Vary: *. */
    public static List<String> fields(Headers response) {
        return List.copyOf(new TreeSet<>(response.tokens("Vary")));
    }

    /**
     * The secondary key of {@code request} for a response that varies on {@code fields}: one
     * {@code name=value} line per field, values normalized. Two requests select the same stored variant
     * exactly when their keys are equal.
     */
    public static String secondaryKey(List<String> fields, Headers request) {
        if (fields.isEmpty()) {
            return "";
        }
        StringBuilder key = new StringBuilder();
        for (String field : fields) {
            key.append(field).append('=');
            List<String> values = request.all(field);
            if (!values.isEmpty()) {
                String combined = String.join(", ", values);
                key.append(field.equals("accept-encoding") ? encodingBucket(combined) : normalize(combined));
            }
            key.append('\n');
        }
        return key.toString();
    }

    /** Combined field lines with whitespace collapsed and list elements trimmed (RFC 9111 §4.1). */
    static String normalize(String value) {
        StringBuilder sb = new StringBuilder();
        for (String element : value.split(",")) {
            String e = element.trim().replaceAll("\\s+", " ");
            if (e.isEmpty()) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(e);
        }
        return sb.toString();
    }

    /**
     * Accept-Encoding reduced to the encoding an origin would choose from it (br, then gzip, else
     * identity), so that the many ways browsers spell it do not fragment the cache into copies of the
     * same few bodies. A coding with q=0 is refused, not accepted.
     */
    static String encodingBucket(String acceptEncoding) {
        List<String> accepted = new ArrayList<>();
        for (String element : acceptEncoding.split(",")) {
            String[] parts = element.trim().split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(p.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true;
                    }
                }
            }
            if (!refused && !coding.isEmpty()) {
                accepted.add(coding);
            }
        }
        if (accepted.contains("br")) {
            return "br";
        }
        if (accepted.contains("gzip") || accepted.contains("x-gzip") || accepted.contains("*")) {
            return "gzip";
        }
        return "identity";
    }
}
