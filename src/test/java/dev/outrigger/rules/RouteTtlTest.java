package dev.outrigger.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What each ttl-mode makes of what the origin says: a table of headers, as the policy tests are. */
class RouteTtlTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final Freshness.Timing TIMING = new Freshness.Timing(NOW, NOW);
    static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    static Optional<String> judged(RouteTtl.Mode mode, int status, String... headers) {
        RouteTtl ttl = new RouteTtl(mode, Optional.of(FIVE_MINUTES), Map.of(404, Duration.ofSeconds(30), 500, Duration.ZERO),
                Optional.empty(), Optional.empty());
        return ttl.cacheControl(status, Headers.of(headers), TIMING, Freshness.Heuristics.DEFAULT);
    }

    @Test
    void respectOriginKeepsTheOriginsLifetimeAtMostTheTtl() {
        assertEquals(Optional.empty(), judged(RouteTtl.Mode.RESPECT_ORIGIN, 200, "Cache-Control", "max-age=60"));
        assertEquals(Optional.of("public, max-age=300"), judged(RouteTtl.Mode.RESPECT_ORIGIN, 200, "Cache-Control", "public, max-age=3600"));
        assertEquals(Optional.of("max-age=300, proxy-revalidate"), judged(RouteTtl.Mode.RESPECT_ORIGIN, 200, "Cache-Control", "s-maxage=3600"),
                "s-maxage also said: never stale");
        assertEquals(Optional.empty(), judged(RouteTtl.Mode.RESPECT_ORIGIN, 200), "no lifetime from the origin: none from the route");
    }

    @Test
    void fallbackGivesTheTtlOnlyWhereTheOriginGaveNoExplicitLifetime() {
        assertEquals(Optional.of("max-age=300"), judged(RouteTtl.Mode.FALLBACK, 200));
        assertEquals(Optional.of("max-age=300"), judged(RouteTtl.Mode.FALLBACK, 200, "Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
                "the ttl, not a heuristic");
        assertEquals(Optional.empty(), judged(RouteTtl.Mode.FALLBACK, 200, "Cache-Control", "max-age=10"));
        assertEquals(Optional.empty(), judged(RouteTtl.Mode.FALLBACK, 200, "Expires", "Tue, 01 Dec 2026 10:00:10 GMT"));
        assertEquals(Optional.of("no-cache, max-age=300"), judged(RouteTtl.Mode.FALLBACK, 200, "Cache-Control", "no-cache"),
                "the origin's no-cache still demands revalidation");
    }

    @Test
    void overrideReplacesWhatTheOriginSaysAboutFreshness() {
        assertEquals(Optional.of("max-age=300"), judged(RouteTtl.Mode.OVERRIDE, 200, "Cache-Control", "no-cache, max-age=0"));
        assertEquals(Optional.of("public, max-age=300"), judged(RouteTtl.Mode.OVERRIDE, 200, "Cache-Control", "public, s-maxage=5"));
        assertEquals(Optional.of("no-store, max-age=300"), judged(RouteTtl.Mode.OVERRIDE, 200, "Cache-Control", "no-store"),
                "no-store stays: storage is still refused");
        assertEquals(Optional.of("private, max-age=300"), judged(RouteTtl.Mode.OVERRIDE, 200, "Cache-Control", "private"));
    }

    @Test
    void statusTtlTakesThePlaceOfTtlAndZeroNeverStores() {
        assertEquals(Optional.of("max-age=30"), judged(RouteTtl.Mode.FALLBACK, 404));
        assertEquals(Optional.empty(), judged(RouteTtl.Mode.FALLBACK, 302), "the plain ttl is for 200, 203, 204, 300, 301, 308");
        assertEquals(Optional.of("no-store"), judged(RouteTtl.Mode.OVERRIDE, 500, "Cache-Control", "max-age=60"));
    }

    @Test
    void staleWindowsAreAddedWhenLongerThanTheOrigins() {
        RouteTtl ttl = new RouteTtl(RouteTtl.Mode.RESPECT_ORIGIN, Optional.empty(), Map.of(), Optional.of(Duration.ofSeconds(30)),
                Optional.of(Duration.ofMinutes(10)));
        assertEquals(Optional.of("max-age=60, stale-if-error=900, stale-while-revalidate=30"),
                ttl.cacheControl(200, Headers.of("Cache-Control", "max-age=60, stale-if-error=900"), TIMING, Freshness.Heuristics.DEFAULT),
                "the origin's longer stale-if-error stands");
        assertEquals(Optional.of("max-age=60, stale-while-revalidate=30, stale-if-error=600"),
                ttl.cacheControl(200, Headers.of("Cache-Control", "max-age=60"), TIMING, Freshness.Heuristics.DEFAULT));
    }
}
