package dev.outrigger.proxy;

/** X-Cache and Cache-Status (RFC 9211) values, made from the outcome that the meters count too. */
final class CacheHeaders {

    static final String X_CACHE = "X-Cache";
    static final String CACHE_STATUS = "Cache-Status";
    /** This cache's name in Cache-Status. */
    static final String NAME = "Outrigger";

    private CacheHeaders() {}

    /** Served from the cache; {@code ttlSeconds} is negative when stale (RFC 9211 §2.5). */
    static String hit(long ttlSeconds) {
        return NAME + "; hit; ttl=" + ttlSeconds;
    }

    /** Served stale without asking the upstream, which is failing (RFC 5861 §4 stale-if-error). */
    static String staleOnError(long ttlSeconds) {
        return NAME + "; hit; ttl=" + ttlSeconds + "; detail=upstream-failing";
    }

    /**
     * Served from another request's fetch, which this one waited for (RFC 9211 §2.6 {@code collapsed}):
     * forwarded once, for many.
     */
    static String collapsed(String fwd, long ttlSeconds) {
        return NAME + "; fwd=" + fwd + "; collapsed; ttl=" + ttlSeconds;
    }

    /** Forwarded: why (RFC 9211 §2.2: uri-miss, stale, method, request, bypass), what came back, whether stored. */
    static String forward(String fwd, int status, boolean stored) {
        return NAME + "; fwd=" + fwd + "; fwd-status=" + status + (stored ? "; stored" : "");
    }
}
