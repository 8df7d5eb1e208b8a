package dev.outrigger.policy;

import java.util.Locale;

/**
 * What happened to one request, as the metrics and the X-Cache/Cache-Status headers report it. Every
 * request ends in exactly one outcome.
 */
public enum CacheOutcome {
    /** Forwarded to the upstream; nothing was served from or written to the cache. */
    BYPASS,
    /** The proxy answered with an error of its own (bad request, upstream failure). */
    ERROR;

    /** The metric tag value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
