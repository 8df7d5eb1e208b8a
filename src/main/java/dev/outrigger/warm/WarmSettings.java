package dev.outrigger.warm;

import java.time.Duration;
import java.util.List;

/**
 * Cache warming, as plain values.
 *
 * @param enabled warm at all
 * @param targets the warm list
 * @param top how many of the most requested targets (learned from traffic) each run adds; 0: none
 * @param interval how often a run starts (one replica's, with Redis)
 * @param atStart run once at start-up, as soon as the application accepts connections
 * @param refreshWithin an entry with less freshness left than this is refreshed; one with more is left alone
 * @param rate requests per second, at most
 * @param concurrency requests in flight at once, at most
 * @param timeout the longest one warming request may take
 * @param acceptEncoding the Accept-Encoding warming requests send (the variant warmed where the application varies on it)
 */
public record WarmSettings(boolean enabled, List<WarmTarget> targets, int top, Duration interval, boolean atStart,
                           Duration refreshWithin, int rate, int concurrency, Duration timeout, String acceptEncoding) {

    /** What browsers send: warming fills the variant most clients ask for. */
    public static final String BROWSER_ENCODINGS = "gzip, deflate, br, zstd";

    public static final WarmSettings OFF = new WarmSettings(false, List.of(), 0, Duration.ofMinutes(5), true, Duration.ofMinutes(5),
            10, 2, Duration.ofSeconds(10), BROWSER_ENCODINGS);

    public WarmSettings(boolean enabled, List<WarmTarget> targets, int top, Duration interval, boolean atStart,
                        Duration refreshWithin, int rate, int concurrency, Duration timeout) {
        this(enabled, targets, top, interval, atStart, refreshWithin, rate, concurrency, timeout, BROWSER_ENCODINGS);
    }

    public WarmSettings {
        targets = List.copyOf(targets);
        if (enabled) {
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("interval: at least 1s");
            }
            if (rate < 1 || concurrency < 1) {
                throw new IllegalArgumentException("rate and concurrency: at least 1");
            }
            if (top < 0 || top > 10_000) {
                throw new IllegalArgumentException("top: 0 to 10000");
            }
            if (refreshWithin.isNegative() || timeout.toMillis() < 1) {
                throw new IllegalArgumentException("refresh-within and timeout must be positive");
            }
        }
    }
}
