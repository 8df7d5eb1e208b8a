package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.CachePolicy.Settings;
import dev.outrigger.policy.Freshness.Heuristics;
import dev.outrigger.policy.Freshness.Timing;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How long a store keeps a response: remaining freshness + stale window, or + keep for one that can be revalidated. */
class TimeToLiveTest {

    static final Instant T = Instant.parse("2026-01-01T12:00:00Z");
    static final String ETAG = "\"v1\"";
    static final String LAST_MODIFIED = HttpDate.format(T.minusSeconds(10_000)); // heuristic lifetime: 1 000 s

    /** No configured stale windows. */
    static final Settings PLAIN = Settings.DEFAULT;
    /** Configured stale-while-revalidate 30 s, stale-if-error 300 s. */
    static final Settings WINDOWS = new Settings(Heuristics.DEFAULT, Duration.ofSeconds(30), Duration.ofSeconds(300));
    static final Settings NO_HEURISTICS = new Settings(Heuristics.OFF, Duration.ofSeconds(30), Duration.ofSeconds(300));
    static final long KEEP = 600;

    static Stream<Arguments> table() {
        return Stream.of(
                // freshness only
                row("fresh, no validator: what is left of max-age", 200, PLAIN, KEEP, 0, 60, "Cache-Control", "max-age=60"),
                row("fresh, no validator, 20 s later", 200, PLAIN, KEEP, 20, 40, "Cache-Control", "max-age=60"),
                row("stale, no validator: nothing left", 200, PLAIN, KEEP, 100, 0, "Cache-Control", "max-age=60"),
                row("max-age=0, no validator", 200, PLAIN, KEEP, 0, 0, "Cache-Control", "max-age=0"),
                row("received with Age 50 of max-age=60", 200, PLAIN, KEEP, 0, 10, "Cache-Control", "max-age=60", "Age", "50"),
                row("an invalid Age is ignored", 200, PLAIN, KEEP, 0, 60, "Cache-Control", "max-age=60", "Age", "50 s"),
                row("Expires in asctime form", 200, PLAIN, KEEP, 0, 300, "Expires", "Thu Jan  1 12:05:00 2026"),
                // validators: kept past expiry to be revalidated
                row("fresh, ETag: remaining + keep", 200, PLAIN, KEEP, 0, 660, "Cache-Control", "max-age=60", "ETag", ETAG),
                row("fresh, Last-Modified: remaining + keep", 200, PLAIN, KEEP, 0, 660, "Cache-Control", "max-age=60", "Last-Modified", LAST_MODIFIED),
                row("an invalid Last-Modified is no validator", 200, PLAIN, KEEP, 0, 60, "Cache-Control", "max-age=60", "Last-Modified", "recently"),
                row("already stale, ETag: keep", 200, PLAIN, KEEP, 100, 600, "Cache-Control", "max-age=60", "ETag", ETAG),
                row("keep zero, ETag: freshness only", 200, PLAIN, 0, 0, 60, "Cache-Control", "max-age=60", "ETag", ETAG),
                row("a negative keep counts as none", 200, PLAIN, -5, 0, 60, "Cache-Control", "max-age=60", "ETag", ETAG),
                // the response's own stale windows
                row("own stale-while-revalidate", 200, PLAIN, KEEP, 0, 90, "Cache-Control", "max-age=60, stale-while-revalidate=30"),
                row("own stale-if-error", 200, PLAIN, KEEP, 0, 360, "Cache-Control", "max-age=60, stale-if-error=300"),
                row("the longer own window wins", 200, PLAIN, KEEP, 0, 360, "Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=300"),
                row("own windows in any case", 200, PLAIN, KEEP, 0, 360, "Cache-Control", "Max-Age=60, Stale-If-Error=300"),
                row("keep longer than the window", 200, PLAIN, KEEP, 0, 660, "Cache-Control", "max-age=60, stale-while-revalidate=30", "ETag", ETAG),
                row("window longer than keep", 200, PLAIN, KEEP, 0, 3660, "Cache-Control", "max-age=60, stale-if-error=3600", "ETag", ETAG),
                row("what an already stale response used of its window is gone", 200, PLAIN, KEEP, 0, 260, "Cache-Control", "max-age=60, stale-if-error=300", "Age", "100"),
                row("past its whole window", 200, PLAIN, KEEP, 0, 0, "Cache-Control", "max-age=60, stale-if-error=300", "Age", "1000"),
                // the configured windows
                row("configured windows for a response with a lifetime", 200, WINDOWS, KEEP, 0, 360, "Cache-Control", "max-age=60"),
                row("configured windows after max-age=0", 200, WINDOWS, KEEP, 0, 300, "Cache-Control", "max-age=0"),
                row("configured windows for an invalid Expires (a zero lifetime)", 200, WINDOWS, KEEP, 0, 300, "Expires", "0"),
                row("configured windows for a heuristic lifetime", 200, WINDOWS, 0, 0, 1300, "Last-Modified", LAST_MODIFIED),
                row("heuristic lifetime and keep", 200, PLAIN, KEEP, 0, 1600, "Last-Modified", LAST_MODIFIED),
                // never served stale: no stale window, only keep
                row("must-revalidate: no window", 200, WINDOWS, KEEP, 0, 60, "Cache-Control", "max-age=60, must-revalidate, stale-if-error=300"),
                row("must-revalidate with ETag: keep", 200, WINDOWS, KEEP, 0, 660, "Cache-Control", "max-age=60, must-revalidate", "ETag", ETAG),
                row("proxy-revalidate: no window", 200, WINDOWS, KEEP, 0, 60, "Cache-Control", "max-age=60, proxy-revalidate"),
                row("s-maxage: no window", 200, WINDOWS, KEEP, 0, 60, "Cache-Control", "s-maxage=60, stale-while-revalidate=300"),
                row("no-cache with ETag: keep", 200, WINDOWS, KEEP, 0, 660, "Cache-Control", "no-cache, max-age=60", "ETag", ETAG),
                row("no-cache without a validator is never used", 200, WINDOWS, KEEP, 0, 0, "Cache-Control", "no-cache, max-age=60"),
                // no freshness lifetime at all
                row("no lifetime, ETag: keep", 200, WINDOWS, KEEP, 0, 600, "ETag", ETAG),
                row("no lifetime, ETag and no-cache: keep", 200, WINDOWS, KEEP, 0, 600, "ETag", ETAG, "Cache-Control", "no-cache"),
                row("no lifetime, Last-Modified with heuristics off: keep", 200, NO_HEURISTICS, KEEP, 0, 600, "Last-Modified", LAST_MODIFIED),
                row("no lifetime, a 302 with Last-Modified (no heuristic): keep", 302, WINDOWS, KEEP, 0, 600, "Last-Modified", LAST_MODIFIED),
                row("no lifetime, ETag and its own longer stale-if-error", 200, WINDOWS, KEEP, 0, 3600, "ETag", ETAG, "Cache-Control", "stale-if-error=3600"),
                row("no lifetime, ETag: its own stale-while-revalidate does not count", 200, WINDOWS, KEEP, 0, 600, "ETag", ETAG, "Cache-Control", "stale-while-revalidate=3600"),
                row("no lifetime, no validator", 200, WINDOWS, KEEP, 0, 0),
                row("no lifetime, no validator, own stale-if-error", 200, WINDOWS, KEEP, 0, 0, "Cache-Control", "stale-if-error=3600"),
                row("no lifetime, no validator, public", 200, WINDOWS, KEEP, 0, 0, "Cache-Control", "public"),
                row("no lifetime with heuristics off, an invalid Last-Modified", 200, NO_HEURISTICS, KEEP, 0, 0, "Last-Modified", "never"));
    }

    static Arguments row(String rule, int status, Settings settings, long keepSeconds, long elapsedSeconds, long expectedSeconds,
                         String... headers) {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Date";
        all[headers.length + 1] = HttpDate.format(T);
        return Arguments.of(rule, status, Headers.of(all), settings, Duration.ofSeconds(keepSeconds), elapsedSeconds,
                Duration.ofSeconds(expectedSeconds));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void storeKeepsWhatThePolicyMayStillUse(String rule, int status, Headers response, Settings settings, Duration keep,
                                            long elapsed, Duration expected) {
        assertEquals(expected, TimeToLive.of(status, response, new Timing(T, T), T.plusSeconds(elapsed), settings, keep), rule);
    }
}
