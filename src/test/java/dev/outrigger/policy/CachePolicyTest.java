package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.policy.CachePolicy.Decision;
import dev.outrigger.policy.CachePolicy.Fresh;
import dev.outrigger.policy.CachePolicy.GatewayTimeout;
import dev.outrigger.policy.CachePolicy.Miss;
import dev.outrigger.policy.CachePolicy.Revalidate;
import dev.outrigger.policy.CachePolicy.Settings;
import dev.outrigger.policy.CachePolicy.StaleOk;
import dev.outrigger.policy.CachePolicy.Stored;
import dev.outrigger.policy.Freshness.Heuristics;
import dev.outrigger.policy.Freshness.Timing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table: stored response headers × request headers × elapsed time → what the cache does. */
class CachePolicyTest {

    static final Instant T = Instant.parse("2026-01-01T12:00:00Z");

    enum Expect { FRESH, STALE_OK, STALE_REFRESH, REVALIDATE, REVALIDATE_STALE_ON_ERROR, GATEWAY_TIMEOUT }

    static Stream<Arguments> table() {
        return Stream.of(
                row("§4.2 fresh within max-age", "max-age=60", "", 30, Expect.FRESH),
                row("§4.2 stale after max-age", "max-age=60", "", 61, Expect.REVALIDATE),
                row("§4.2 exactly at the lifetime is stale", "max-age=60", "", 60, Expect.REVALIDATE),
                row("§5.2.2.4 response no-cache always validates", "no-cache, max-age=60", "", 1, Expect.REVALIDATE),
                row("§5.2.1.4 request no-cache validates a fresh response", "max-age=60", "no-cache", 1, Expect.REVALIDATE_STALE_ON_ERROR),
                row("§5.2.1.1 request max-age=0 validates", "max-age=60", "max-age=0", 1, Expect.REVALIDATE_STALE_ON_ERROR),
                row("§5.2.1.1 request max-age above the age is fine", "max-age=60", "max-age=30", 10, Expect.FRESH),
                row("§5.2.1.3 min-fresh not met validates", "max-age=60", "min-fresh=40", 30, Expect.REVALIDATE_STALE_ON_ERROR),
                row("§5.2.1.3 min-fresh met is fresh", "max-age=60", "min-fresh=20", 30, Expect.FRESH),
                row("§5.2.1.2 max-stale with a value serves a little stale", "max-age=60", "max-stale=30", 80, Expect.STALE_OK),
                row("§5.2.1.2 max-stale exceeded validates", "max-age=60", "max-stale=10", 80, Expect.REVALIDATE),
                row("§5.2.1.2 max-stale without a value serves any staleness", "max-age=60", "max-stale", 100_000, Expect.STALE_OK),
                row("§5.2.2.2 must-revalidate forbids max-stale", "max-age=60, must-revalidate", "max-stale", 80, Expect.REVALIDATE),
                row("§4.2.4 s-maxage forbids serving stale in a shared cache", "s-maxage=60", "max-stale", 80, Expect.REVALIDATE),
                row("RFC 5861 §3 stale-while-revalidate serves stale and refreshes", "max-age=60, stale-while-revalidate=30", "", 80, Expect.STALE_REFRESH),
                row("RFC 5861 §3 past the stale-while-revalidate window validates", "max-age=60, stale-while-revalidate=30", "", 95, Expect.REVALIDATE),
                row("RFC 5861 §4 stale-if-error allows the stale copy when the upstream fails", "max-age=60, stale-if-error=300", "", 200, Expect.REVALIDATE_STALE_ON_ERROR),
                row("RFC 5861 §4 request stale-if-error counts too", "max-age=60", "stale-if-error=300", 200, Expect.REVALIDATE_STALE_ON_ERROR),
                row("RFC 5861 §4 past the stale-if-error window no stale on error", "max-age=60, stale-if-error=10", "", 200, Expect.REVALIDATE),
                row("§5.2.2.2 must-revalidate forbids stale-if-error", "max-age=60, must-revalidate, stale-if-error=300", "", 200, Expect.REVALIDATE),
                row("§5.2.1.7 only-if-cached serves what is fresh", "max-age=60", "only-if-cached", 10, Expect.FRESH),
                row("§5.2.1.7 only-if-cached with a stale response is a 504", "max-age=60", "only-if-cached", 100, Expect.GATEWAY_TIMEOUT),
                row("§4.2.1 an invalid max-age is stale at once", "max-age=abc", "", 0, Expect.REVALIDATE));
    }

    static Arguments row(String rule, String responseCc, String requestCc, long elapsedSeconds, Expect expect) {
        return Arguments.of(rule, responseCc, requestCc, elapsedSeconds, expect);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decisionFollowsTheRfc(String rule, String responseCc, String requestCc, long elapsed, Expect expect) {
        Headers stored = Headers.of("Cache-Control", responseCc, "Date", HttpDate.format(T), "ETag", "\"v1\"");
        Headers request = requestCc.isEmpty() ? Headers.EMPTY : Headers.of("Cache-Control", requestCc);
        Decision d = decide(request, stored, T.plusSeconds(elapsed), Settings.DEFAULT);

        Expect actual = switch (d) {
            case Fresh f -> Expect.FRESH;
            case StaleOk s -> s.refresh() ? Expect.STALE_REFRESH : Expect.STALE_OK;
            case Revalidate r -> r.staleOnError() ? Expect.REVALIDATE_STALE_ON_ERROR : Expect.REVALIDATE;
            case GatewayTimeout g -> Expect.GATEWAY_TIMEOUT;
            case Miss m -> throw new AssertionError("miss with a stored response");
            case CachePolicy.Bypass b -> throw new AssertionError("bypass: " + b.reason());
        };
        assertEquals(expect, actual, rule + " → " + d);
    }

    static Decision decide(Headers request, Headers stored, Instant now, Settings settings) {
        return CachePolicy.decide("GET", request, Optional.of(new Stored(200, stored, new Timing(T, T))), now, settings);
    }

    @Test
    void nothingStoredIsAMiss() {
        assertInstanceOf(Miss.class, CachePolicy.decide("GET", Headers.EMPTY, Optional.empty(), T, Settings.DEFAULT));
    }

    @Test
    void nothingStoredWithOnlyIfCachedIsAGatewayTimeout() {
        assertInstanceOf(GatewayTimeout.class, CachePolicy.decide("GET",
                Headers.of("Cache-Control", "only-if-cached"), Optional.empty(), T, Settings.DEFAULT));
    }

    @Test
    void unsafeMethodsBypassTheCache() {
        assertInstanceOf(CachePolicy.Bypass.class, CachePolicy.decide("POST", Headers.EMPTY, Optional.empty(), T, Settings.DEFAULT));
    }

    @Test
    void requestNoStoreBypassesTheCache() {
        assertInstanceOf(CachePolicy.Bypass.class, CachePolicy.decide("GET",
                Headers.of("Cache-Control", "no-store"), Optional.empty(), T, Settings.DEFAULT));
    }

    @Test
    void pragmaNoCacheValidatesWhenThereIsNoCacheControl() {
        // RFC 9111 §5.4
        Headers stored = Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(T));
        assertInstanceOf(Revalidate.class, decide(Headers.of("Pragma", "no-cache"), stored, T.plusSeconds(1), Settings.DEFAULT));
        assertInstanceOf(Fresh.class, decide(Headers.of("Pragma", "no-cache", "Cache-Control", "max-age=60"), stored, T.plusSeconds(1), Settings.DEFAULT));
    }

    @Test
    void revalidationCarriesTheStoredValidators() {
        Headers stored = Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(T), "ETag", "\"v1\"",
                "Last-Modified", HttpDate.format(T.minusSeconds(3600)));
        Revalidate r = assertInstanceOf(Revalidate.class, decide(Headers.EMPTY, stored, T.plusSeconds(120), Settings.DEFAULT));

        assertEquals(Optional.of("\"v1\""), r.validators().first("If-None-Match"));
        assertEquals(Optional.of(HttpDate.format(T.minusSeconds(3600))), r.validators().first("If-Modified-Since"));
    }

    @Test
    void configuredStaleWhileRevalidateAppliesWhenTheResponseNamesNone() {
        Headers stored = Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(T));
        Settings swr = new Settings(Heuristics.DEFAULT, Duration.ofSeconds(30), Duration.ZERO);
        StaleOk s = assertInstanceOf(StaleOk.class, decide(Headers.EMPTY, stored, T.plusSeconds(70), swr));
        assertTrue(s.refresh());
    }

    @Test
    void ageReportedIsTheCurrentAge() {
        Headers stored = Headers.of("Cache-Control", "max-age=600", "Date", HttpDate.format(T), "Age", "100");
        Fresh f = assertInstanceOf(Fresh.class, decide(Headers.EMPTY, stored, T.plusSeconds(20), Settings.DEFAULT));
        assertEquals(Duration.ofSeconds(120), f.age());
    }

    /** RFC 9111 §4.2.4: stale may be served while another request refreshes, unless the response or request forbids it. */
    @Test
    void staleWhileRefreshIsAllowedOnlyWhenStalenessIsTheOnlyReasonToRevalidate() {
        record Row(String name, String requestCc, String responseCc, long ageSeconds, boolean allowed) {}
        List<Row> rows = List.of(
                new Row("§4.2.4 stale, nothing forbids it", null, "max-age=60", 120, true),
                new Row("§5.2.2.2 must-revalidate", null, "max-age=60, must-revalidate", 120, false),
                new Row("§5.2.2.8 proxy-revalidate", null, "max-age=60, proxy-revalidate", 120, false),
                new Row("§5.2.2.10 s-maxage", null, "s-maxage=60", 120, false),
                new Row("§5.2.2.4 response no-cache", null, "max-age=60, no-cache", 10, false),
                new Row("§5.2.1.4 request no-cache", "no-cache", "max-age=60", 10, false),
                new Row("§5.2.1.1 request max-age exceeded", "max-age=5", "max-age=60", 10, false),
                new Row("§5.2.1.3 request min-fresh not met", "min-fresh=55", "max-age=60", 10, false));
        for (Row row : rows) {
            Headers stored = Headers.of("Cache-Control", row.responseCc(), "Date", HttpDate.format(T));
            Headers request = row.requestCc() == null ? Headers.EMPTY : Headers.of("Cache-Control", row.requestCc());
            Revalidate r = assertInstanceOf(Revalidate.class, decide(request, stored, T.plusSeconds(row.ageSeconds()),
                    Settings.DEFAULT), row.name());
            assertEquals(row.allowed(), r.staleWhileRefresh(), row.name());
        }
    }
}
