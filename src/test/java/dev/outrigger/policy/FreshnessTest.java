package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.Freshness.Heuristics;
import dev.outrigger.policy.Freshness.Lifetime;
import dev.outrigger.policy.Freshness.Timing;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Freshness lifetime (RFC 9111 §4.2.1, §4.2.2) and age (§4.2.3), on headers alone. */
class FreshnessTest {

    static final Instant T = Instant.parse("2026-01-01T12:00:00Z");
    static final String DATE = HttpDate.format(T);
    static final Timing RECEIVED_AT_T = new Timing(T, T);

    static Stream<Arguments> lifetimes() {
        return Stream.of(
                row("§4.2.1 s-maxage wins over max-age", 200, 600L, false,
                        "Cache-Control", "max-age=60, s-maxage=600", "Date", DATE),
                row("§4.2.1 max-age wins over Expires", 200, 60L, false,
                        "Cache-Control", "max-age=60", "Expires", HttpDate.format(T.plusSeconds(3600)), "Date", DATE),
                row("§4.2.1 Expires minus Date", 200, 300L, false,
                        "Expires", HttpDate.format(T.plusSeconds(300)), "Date", DATE),
                row("§4.2.1 Expires before Date is no freshness", 200, 0L, false,
                        "Expires", HttpDate.format(T.minusSeconds(10)), "Date", DATE),
                row("§5.3 an invalid Expires means already expired", 200, 0L, false,
                        "Expires", "0", "Date", DATE),
                row("§4.2.1 Expires without Date counts from receipt", 200, 120L, false,
                        "Expires", HttpDate.format(T.plusSeconds(120))),
                row("§4.2.1 an invalid max-age is a zero lifetime, not a missing one", 200, 0L, false,
                        "Cache-Control", "max-age=soon", "Expires", HttpDate.format(T.plusSeconds(300)), "Date", DATE),
                row("§4.2.1 an invalid s-maxage is a zero lifetime", 200, 0L, false,
                        "Cache-Control", "s-maxage=-5, max-age=60", "Date", DATE),
                row("§4.2.2 heuristic: a tenth of the time since Last-Modified", 200, 1000L, true,
                        "Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE),
                row("§4.2.2 heuristic is capped", 200, 86_400L, true,
                        "Last-Modified", HttpDate.format(T.minusSeconds(100L * 86_400)), "Date", DATE),
                row("§4.2.2 heuristic applies to 404", 404, 1000L, true,
                        "Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE),
                row("§4.2.2 no heuristic for a 302", 302, null, false,
                        "Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE),
                row("§4.2.2 public allows a heuristic for any status", 302, 1000L, true,
                        "Cache-Control", "public", "Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE),
                row("nothing gives freshness", 200, null, false, "Date", DATE),
                row("§5.2 directive names are case-insensitive: MAX-AGE", 200, 60L, false,
                        "Cache-Control", "MAX-AGE=60", "Date", DATE),
                row("§5.2 directive names are case-insensitive: S-MAXAGE wins", 200, 5L, false,
                        "Cache-Control", "Max-Age=60, S-MAXAGE=5", "Date", DATE),
                row("§5.3 Expires as IMF-fixdate", 200, 300L, false,
                        "Expires", "Thu, 01 Jan 2026 12:05:00 GMT", "Date", DATE),
                row("§5.3 Expires in the obsolete RFC 850 form", 200, 300L, false,
                        "Expires", "Thursday, 01-Jan-26 12:05:00 GMT", "Date", DATE),
                row("§5.3 Expires in the obsolete asctime form", 200, 300L, false,
                        "Expires", "Thu Jan  1 12:05:00 2026", "Date", DATE),
                row("§5.3 Date in RFC 850 form, Expires in asctime", 200, 3600L, false,
                        "Expires", "Thu Jan  1 13:00:00 2026", "Date", "Thursday, 01-Jan-26 12:00:00 GMT"),
                row("§5.3 Expires: -1 means already expired", 200, 0L, false,
                        "Expires", "-1", "Date", DATE),
                row("§5.3 Expires: garbage means already expired", 200, 0L, false,
                        "Expires", "tomorrow, probably", "Date", DATE),
                row("§5.3 an empty Expires means already expired", 200, 0L, false,
                        "Expires", "", "Date", DATE),
                row("§5.3 an invalid Expires beats a heuristic", 200, 0L, false,
                        "Expires", "0", "Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE));
    }

    static Arguments row(String rule, int status, Long seconds, boolean heuristic, String... headers) {
        return Arguments.of(rule, status, Headers.of(headers),
                Optional.ofNullable(seconds).map(s -> new Lifetime(Duration.ofSeconds(s), heuristic)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lifetimes")
    void lifetimeFollowsTheRfcOrder(String rule, int status, Headers response, Optional<Lifetime> expected) {
        assertEquals(expected, Freshness.lifetime(status, response, CacheControl.of(response), RECEIVED_AT_T, Heuristics.DEFAULT));
    }

    @Test
    void heuristicsCanBeTurnedOff() {
        Headers response = Headers.of("Last-Modified", HttpDate.format(T.minusSeconds(10_000)), "Date", DATE);
        assertEquals(Optional.empty(), Freshness.lifetime(200, response, CacheControl.of(response), RECEIVED_AT_T, Heuristics.OFF));
    }

    @Test
    void ageCountsResidentTime() {
        Headers response = Headers.of("Date", DATE);
        assertEquals(Duration.ofSeconds(30), Freshness.currentAge(response, RECEIVED_AT_T, T.plusSeconds(30)));
    }

    @Test
    void ageAddsTheUpstreamAgeAndTheResponseDelay() {
        // §4.2.3: corrected_age_value = age_value + response_delay
        Headers response = Headers.of("Date", DATE, "Age", "100");
        Timing timing = new Timing(T.minusSeconds(2), T);
        assertEquals(Duration.ofSeconds(102 + 10), Freshness.currentAge(response, timing, T.plusSeconds(10)));
    }

    @Test
    void ageUsesTheApparentAgeWhenTheDateIsOlder() {
        // §4.2.3: apparent_age = response_time - date_value, when larger than the corrected Age
        Headers response = Headers.of("Date", HttpDate.format(T.minusSeconds(50)), "Age", "5");
        assertEquals(Duration.ofSeconds(50), Freshness.currentAge(response, RECEIVED_AT_T, T));
    }

    @Test
    void anInvalidAgeHeaderIsIgnored() {
        Headers response = Headers.of("Date", DATE, "Age", "-3");
        assertEquals(Duration.ZERO, Freshness.currentAge(response, RECEIVED_AT_T, T));
    }

    /** RFC 9111 §5.1: Age is delta-seconds; anything else is ignored (no Age), a list counts by its first member. */
    @ParameterizedTest(name = "Age \"{0}\" after 10 s → {1} s")
    @CsvSource(delimiter = '|', value = {
            "100          | 110",
            "' 100 '      | 110",
            "0            | 10",
            "10 seconds   | 10",
            "-5           | 10",
            "1.5          | 10",
            "+5           | 10",
            "0x10         | 10",
            "''           | 10",
            "abc          | 10",
            "100, 200     | 110",
            "99999999999  | 2147483658",
    })
    void ageHeaderCountsOnlyWhenItIsANonNegativeInteger(String age, long expectedSeconds) {
        Headers response = Headers.of("Date", DATE, "Age", age);
        assertEquals(Duration.ofSeconds(expectedSeconds), Freshness.currentAge(response, RECEIVED_AT_T, T.plusSeconds(10)));
    }

    @Test
    void anInvalidAgeStillLeavesTheApparentAge() {
        // the Date says 50 s old: ignoring a bad Age does not make the response younger than that
        Headers response = Headers.of("Date", HttpDate.format(T.minusSeconds(50)), "Age", "1.5");
        assertEquals(Duration.ofSeconds(50), Freshness.currentAge(response, RECEIVED_AT_T, T));
    }

    @Test
    void aDateInTheFutureGivesNoNegativeAge() {
        Headers response = Headers.of("Date", HttpDate.format(T.plusSeconds(3600)));
        assertEquals(Duration.ZERO, Freshness.currentAge(response, RECEIVED_AT_T, T));
    }
}
