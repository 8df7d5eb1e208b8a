package dev.outrigger.cache;

/** X-Cache and Cache-Status (RFC 9211) values, made from the outcome that the meters count too. */
public final class CacheHeaders {

    public static final String X_CACHE = "X-Cache";
    public static final String CACHE_STATUS = "Cache-Status";
    /** This cache's name in Cache-Status. */
    public static final String NAME = "Outrigger";

    private CacheHeaders() {}

    /** Served from the cache; {@code ttlSeconds} is negative when stale (RFC 9211 §2.5). */
    public static String hit(long ttlSeconds) {
        return NAME + "; hit; ttl=" + ttlSeconds;
    }

    /** Served stale without asking the upstream, which is failing (RFC 5861 §4 stale-if-error). */
    public static String staleOnError(long ttlSeconds) {
        return NAME + "; hit; ttl=" + ttlSeconds + "; detail=upstream-failing";
    }

    /**
     * Served from another request's fetch, which this one waited for (RFC 9211 §2.6 {@code collapsed}):
     * forwarded once, for many.
     */
    public static String collapsed(String fwd, long ttlSeconds) {
        return NAME + "; fwd=" + fwd + "; collapsed; ttl=" + ttlSeconds;
    }

    /** Forwarded: why (RFC 9211 §2.2: uri-miss, stale, method, request, bypass), what came back, whether stored. */
    public static String forward(String fwd, int status, boolean stored) {
        return NAME + "; fwd=" + fwd + "; fwd-status=" + status + (stored ? "; stored" : "");
    }

    /**
     * Cache-Status with the request's route and key added (RFC 9211 §2.7 {@code key}, §2.8 {@code detail}), for
     * {@code OUTRIGGER_DEBUG_HEADERS}. The key is written as an sf-string: control and non-ASCII characters
     * (its component separators are newlines) percent-escaped; none when the route keys nothing ({@code key} null).
     */
    public static String debug(String cacheStatus, String route, String key) {
        StringBuilder sb = new StringBuilder(cacheStatus.length() + (key == null ? 0 : key.length()) + 40);
        int detail = cacheStatus.indexOf("; detail=");
        if (detail >= 0) {
            // one detail parameter: the route joins what is there
            String existing = cacheStatus.substring(detail + 9);
            String unquoted = existing.startsWith("\"") && existing.endsWith("\"") ? existing.substring(1, existing.length() - 1) : existing;
            sb.append(cacheStatus, 0, detail).append("; detail=\"").append(unquoted).append(" route=").append(route).append('"');
        } else {
            sb.append(cacheStatus).append("; detail=\"route=").append(route).append('"');
        }
        if (key != null) {
            sb.append("; key=\"");
            for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c < 0x20 || c >= 0x7f || c == '%') {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                } else {
                    sb.append((char) c);
                }
            }
            sb.append('"');
        }
        return sb.toString();
    }
}
