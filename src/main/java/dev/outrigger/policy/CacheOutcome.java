package dev.outrigger.policy;

import java.util.Locale;

/**
 * What happened to one request, as the metrics and the X-Cache/Cache-Status headers report it. Every
 * request ends in exactly one outcome.
 */
public enum CacheOutcome {
    /** Served from the cache, fresh. */
    HIT,
    /** Not in the cache (or not a usable variant): fetched from the upstream. */
    MISS,
    /** Served from the cache although stale (stale-while-revalidate, stale-if-error, max-stale). */
    STALE,
    /** The stored response was validated with the upstream (304) and served. */
    REVALIDATED,
    /** Forwarded to the upstream without the cache taking part (method, request no-store, upgrade). */
    BYPASS,
    /** The proxy answered with an error of its own (bad request, upstream failure). */
    ERROR;

    /** The metric tag value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
