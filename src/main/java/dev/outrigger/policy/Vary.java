package dev.outrigger.policy;

import java.util.List;
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
     * The secondary key of {@code request} for a response that varies on {@code fields}: one line per
     * field, {@code name} alone when the request lacks the field and {@code name=value} when it has it
     * (an empty value is a value: it is not the same request as one without the field), values
     * normalized. Two requests select the same stored variant exactly when their keys are equal.
     */
    public static String secondaryKey(List<String> fields, Headers request) {
        if (fields.isEmpty()) {
            return "";
        }
        StringBuilder key = new StringBuilder();
        for (String field : fields) {
            key.append(field);
            List<String> values = request.all(field);
            if (!values.isEmpty()) {
                key.append('=').append(field.equalsIgnoreCase("accept-encoding")
                        ? encodingKey(values)
                        : normalize(String.join(", ", values)));
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

    /** The codings an origin is expected to choose among; the key names which of them a request accepts. */
    static final List<String> KEYED_CODINGS = List.of("br", "deflate", "gzip", "zstd");

    /**
     * Accept-Encoding reduced to what it means for the body an origin may send: the sorted codings among
     * {@link #KEYED_CODINGS} it accepts (RFC 9110 §12.5.3, q=0 refuses, "*" covers the unlisted), and
     * whether it refuses identity. The many ways browsers spell the same preference share one variant,
     * while a client that accepts a different set (zstd only, deflate only) never gets a body it cannot
     * decode.
     */
    static String encodingKey(List<String> acceptEncoding) {
        ContentCoding.Accepted accepted = ContentCoding.parse(acceptEncoding);
        StringBuilder sb = new StringBuilder();
        for (String coding : KEYED_CODINGS) {
            if (accepted.accepts(coding)) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(coding);
            }
        }
        if (!accepted.accepts("identity")) {
            sb.append(";no-identity");
        }
        return sb.toString();
    }
}
