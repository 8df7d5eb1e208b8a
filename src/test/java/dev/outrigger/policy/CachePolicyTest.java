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
                row("§4.2.1 an invalid max-age is stale at once", "max-age=abc", "", 0, Expect.REVALIDATE),
                // §5.2: directive names are compared case-insensitively, in the response and the request
                row("§5.2 Max-Age is max-age", "Max-Age=60", "", 30, Expect.FRESH),
                row("§5.2 NO-CACHE in the response validates", "NO-CACHE, max-age=60", "", 1, Expect.REVALIDATE),
                row("§5.2 NO-CACHE in the request validates", "max-age=60", "NO-CACHE", 1, Expect.REVALIDATE_STALE_ON_ERROR),
                row("§5.2 S-MAXAGE forbids serving stale", "S-MAXAGE=60", "max-stale", 80, Expect.REVALIDATE),
                row("§5.2 Must-Revalidate forbids max-stale", "max-age=60, Must-Revalidate", "Max-Stale", 80, Expect.REVALIDATE),
                row("§5.2 PROXY-REVALIDATE forbids stale-if-error", "max-age=60, PROXY-REVALIDATE, Stale-If-Error=300", "", 200, Expect.REVALIDATE),
                row("§5.2 Max-Stale serves stale", "max-age=60", "Max-Stale=30", 80, Expect.STALE_OK),
                row("§5.2 Stale-While-Revalidate serves stale", "max-age=60, Stale-While-Revalidate=30", "", 80, Expect.STALE_REFRESH),
                row("§5.2 Only-If-Cached with a stale response is a 504", "max-age=60", "Only-If-Cached", 100, Expect.GATEWAY_TIMEOUT));
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

    @ParameterizedTest(name = "Pragma \"{0}\" validates")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"no-cache", "NO-CACHE", "No-Cache", "x-foo, no-cache"})
    void pragmaNoCacheIsCaseInsensitive(String pragma) {
        Headers stored = Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(T));
        assertInstanceOf(Revalidate.class, decide(Headers.of("Pragma", pragma), stored, T.plusSeconds(1), Settings.DEFAULT));
    }

    /** RFC 9111 §5.1: an Age that is not a non-negative integer is ignored, so it neither ages nor rejuvenates. */
    @ParameterizedTest(name = "Age \"{0}\" at 55 s of max-age=60 → fresh: {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "10 seconds | true",
            "-5         | true",
            "1.5        | true",
            "10         | false",
            "4          | true",
            "10, 0      | false",
    })
    void anInvalidAgeDoesNotAgeTheResponse(String age, boolean fresh) {
        Headers stored = Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(T), "Age", age);
        Decision d = decide(Headers.EMPTY, stored, T.plusSeconds(55), Settings.DEFAULT);
        assertEquals(fresh, d instanceof Fresh, d.toString());
    }

    static final Settings GENEROUS = new Settings(Heuristics.DEFAULT, Duration.ofHours(1), Duration.ofHours(1));
    static final Settings GENEROUS_NO_HEURISTICS = new Settings(Heuristics.OFF, Duration.ofHours(1), Duration.ofHours(1));

    /**
     * §4.2.4, §5.2.2.2, §5.2.2.4, §5.2.2.8, §5.2.2.10: once stale, these are never served without a successful
     * revalidation, whatever stale windows are configured or the request asks for.
     */
    static Stream<Arguments> neverServedStale() {
        return Stream.of(
                Arguments.of("must-revalidate", "max-age=60, must-revalidate", ""),
                Arguments.of("must-revalidate, request max-stale", "max-age=60, must-revalidate", "max-stale"),
                Arguments.of("must-revalidate, request max-stale=1000", "max-age=60, must-revalidate", "max-stale=1000"),
                Arguments.of("must-revalidate, request stale-if-error", "max-age=60, must-revalidate", "stale-if-error=1000"),
                Arguments.of("must-revalidate, own stale windows", "max-age=60, must-revalidate, stale-while-revalidate=1000, stale-if-error=1000", ""),
                Arguments.of("proxy-revalidate", "max-age=60, proxy-revalidate", ""),
                Arguments.of("proxy-revalidate, request max-stale", "max-age=60, proxy-revalidate", "max-stale"),
                Arguments.of("proxy-revalidate, own stale windows", "max-age=60, proxy-revalidate, stale-while-revalidate=1000, stale-if-error=1000", ""),
                Arguments.of("s-maxage", "s-maxage=60", ""),
                Arguments.of("s-maxage, request max-stale", "s-maxage=60", "max-stale"),
                Arguments.of("s-maxage, request stale-if-error", "s-maxage=60", "stale-if-error=1000"),
                Arguments.of("s-maxage, own stale windows", "s-maxage=60, stale-while-revalidate=1000, stale-if-error=1000", ""),
                Arguments.of("no-cache", "max-age=60, no-cache", ""),
                Arguments.of("no-cache, request max-stale", "max-age=60, no-cache", "max-stale"),
                Arguments.of("no-cache, request stale-if-error", "max-age=60, no-cache", "stale-if-error=1000"),
                Arguments.of("no-cache, own stale windows", "max-age=60, no-cache, stale-while-revalidate=1000, stale-if-error=1000", ""),
                Arguments.of("no-cache without a lifetime", "no-cache", ""),
                Arguments.of("MUST-REVALIDATE spelled loudly", "max-age=60, MUST-REVALIDATE", "MAX-STALE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("neverServedStale")
    void staleResponsesThatDemandRevalidationAreNeverServedWithoutIt(String rule, String responseCc, String requestCc) {
        Headers stored = Headers.of("Cache-Control", responseCc, "Date", HttpDate.format(T), "ETag", "\"v1\"");
        Headers request = requestCc.isEmpty() ? Headers.EMPTY : Headers.of("Cache-Control", requestCc);
        for (long elapsed : new long[] {61, 120, 600}) {
            Decision d = decide(request, stored, T.plusSeconds(elapsed), GENEROUS);
            assertEquals(new Revalidate(Conditional.validatorsFor(stored), false, false), d, rule + " at " + elapsed + " s");
        }
    }

    /**
     * The configured stale windows are for responses with a freshness lifetime; one with none is always
     * revalidated, and only its own stale-if-error lets it stand in for a failed upstream.
     */
    static Stream<Arguments> withoutALifetime() {
        String lm = HttpDate.format(T.minusSeconds(10_000));
        return Stream.of(
                Arguments.of("ETag and no-cache", h("ETag", "\"v1\"", "Cache-Control", "no-cache"), "", 10, GENEROUS, false),
                Arguments.of("ETag alone", h("ETag", "\"v1\""), "", 10, GENEROUS, false),
                Arguments.of("ETag alone, request max-stale", h("ETag", "\"v1\""), "max-stale", 10, GENEROUS, false),
                Arguments.of("ETag alone, request max-stale=1000", h("ETag", "\"v1\""), "max-stale=1000", 10, GENEROUS, false),
                Arguments.of("ETag alone, request stale-if-error", h("ETag", "\"v1\""), "stale-if-error=1000", 10, GENEROUS, false),
                Arguments.of("ETag alone, own stale-while-revalidate", h("ETag", "\"v1\"", "Cache-Control", "stale-while-revalidate=1000"), "", 10, GENEROUS, false),
                Arguments.of("ETag alone, own stale-if-error", h("ETag", "\"v1\"", "Cache-Control", "stale-if-error=60"), "", 10, GENEROUS, true),
                Arguments.of("ETag alone, past its own stale-if-error", h("ETag", "\"v1\"", "Cache-Control", "stale-if-error=60"), "", 100, GENEROUS, false),
                Arguments.of("ETag, no-cache and own stale-if-error", h("ETag", "\"v1\"", "Cache-Control", "no-cache, stale-if-error=60"), "", 10, GENEROUS, false),
                Arguments.of("Last-Modified alone, heuristics off", h("Last-Modified", lm), "", 10, GENEROUS_NO_HEURISTICS, false),
                Arguments.of("Last-Modified alone, heuristics off, request max-stale", h("Last-Modified", lm), "max-stale", 10, GENEROUS_NO_HEURISTICS, false),
                Arguments.of("Last-Modified alone, heuristics off, own stale-if-error", h("Last-Modified", lm, "Cache-Control", "stale-if-error=60"), "", 10, GENEROUS_NO_HEURISTICS, true),
                Arguments.of("Last-Modified, heuristics on but 302 has none", h("Last-Modified", lm), "", 10, GENEROUS, false));
    }

    private static Headers h(String... namesAndValues) {
        String[] all = java.util.Arrays.copyOf(namesAndValues, namesAndValues.length + 2);
        all[namesAndValues.length] = "Date";
        all[namesAndValues.length + 1] = HttpDate.format(T);
        return Headers.of(all);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutALifetime")
    void aResponseWithoutAFreshnessLifetimeIsAlwaysRevalidated(String rule, Headers stored, String requestCc, long elapsed,
                                                               Settings settings, boolean staleOnError) {
        Headers request = requestCc.isEmpty() ? Headers.EMPTY : Headers.of("Cache-Control", requestCc);
        int status = rule.contains("302") ? 302 : 200;
        Decision d = CachePolicy.decide("GET", request, Optional.of(new Stored(status, stored, new Timing(T, T))),
                T.plusSeconds(elapsed), settings);
        assertEquals(new Revalidate(Conditional.validatorsFor(stored), staleOnError, false), d, rule);
    }

    @Test
    void theConfiguredWindowsApplyToAHeuristicLifetime() {
        // Last-Modified 10 000 s ago: a heuristic lifetime of 1 000 s, then the configured window
        Headers stored = h("Last-Modified", HttpDate.format(T.minusSeconds(10_000)));
        StaleOk s = assertInstanceOf(StaleOk.class, decide(Headers.EMPTY, stored, T.plusSeconds(1_500), GENEROUS));
        assertTrue(s.refresh());
        Settings errorsOnly = new Settings(Heuristics.DEFAULT, Duration.ZERO, Duration.ofHours(1));
        Revalidate r = assertInstanceOf(Revalidate.class, decide(Headers.EMPTY, stored, T.plusSeconds(2_000), errorsOnly));
        assertEquals(new Revalidate(Conditional.validatorsFor(stored), true, true), r, "within the configured stale-if-error hour");
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
