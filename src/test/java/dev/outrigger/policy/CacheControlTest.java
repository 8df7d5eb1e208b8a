package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing Cache-Control (RFC 9111 §5.2, delta-seconds §1.2.2, list syntax RFC 9110 §5.6.1). */
class CacheControlTest {

    @ParameterizedTest(name = "[{index}] {0} → max-age {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "max-age=60                 | 60",
            "MAX-AGE=60                 | 60",          // directive names are case-insensitive (§5.2)
            "max-age=\"60\"             | 60",          // quoted form accepted (§5.2)
            "no-cache, max-age=60       | 60",
            " , ,max-age=60,,           | 60",          // empty list elements are ignored (RFC 9110 §5.6.1)
            "max-age=10, max-age=20     | 10",          // duplicates: the first is used (§4.2.1)
            "no-cache=\"a, b\", max-age=5 | 5",         // a comma inside a quoted string does not split
            "max-age=99999999999        | 2147483648",  // too large: 2^31 s (§1.2.2)
            "max-age=-1                 | none",        // not delta-seconds
            "max-age=1.5                | none",
            "max-age=                   | none",
            "max-age                    | none",
            "max-age=6 0                | none",
    })
    void maxAgeIsReadAsDeltaSeconds(String header, String expected) {
        Optional<Duration> seconds = CacheControl.parse(header).seconds("max-age");
        assertEquals(Optional.ofNullable(expected).map(Long::parseLong).map(Duration::ofSeconds), seconds);
    }

    @ParameterizedTest(name = "[{index}] {0} has {1}")
    @CsvSource(delimiter = '|', value = {
            "NO-CACHE                   | no-cache",
            "No-Store                   | no-store",
            "Private                    | private",
            "PUBLIC, Max-Age=60         | max-age",
            "S-MAXAGE=5                 | s-maxage",
            "Must-Revalidate            | must-revalidate",
            "PROXY-REVALIDATE           | proxy-revalidate",
            "Only-If-Cached             | only-if-cached",
            "Stale-While-Revalidate=30  | stale-while-revalidate",
    })
    void directiveNamesAreCaseInsensitive(String header, String directive) {
        // RFC 9111 §5.2: "Cache directives are identified by a token, to be compared case-insensitively"
        CacheControl cc = CacheControl.parse(header);
        assertTrue(cc.has(directive), header);
        assertTrue(cc.has(directive.toUpperCase(java.util.Locale.ROOT)), "a caller's spelling does not matter either");
    }

    @Test
    void caseInsensitiveDirectivesKeepTheirArguments() {
        CacheControl cc = CacheControl.parse("S-MAXAGE=5, Max-Age=60, Stale-If-Error=\"30\"");
        assertEquals(Optional.of(Duration.ofSeconds(5)), cc.seconds("s-maxage"));
        assertEquals(Optional.of(Duration.ofSeconds(60)), cc.seconds("max-age"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), cc.seconds("stale-if-error"));
        assertEquals(List.of("x-user"), CacheControl.parse("PRIVATE=\"X-User\"").fieldNames("private"));
    }

    @Test
    void invalidMaxAgeIsPresentButHasNoValue() {
        CacheControl cc = CacheControl.parse("max-age=abc");
        assertTrue(cc.has("max-age"));
        assertTrue(cc.seconds("max-age").isEmpty());
    }

    @Test
    void directivesOfEveryFieldLineAreCombined() {
        CacheControl cc = CacheControl.parse(List.of("public", "max-age=30, must-revalidate"));
        assertTrue(cc.has("public"));
        assertTrue(cc.has("must-revalidate"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), cc.seconds("max-age"));
    }

    @Test
    void qualifiedPrivateListsItsFieldNames() {
        assertEquals(List.of("set-cookie", "x-user"), CacheControl.parse("private=\"Set-Cookie, X-User\"").fieldNames("private"));
        assertEquals(List.of(), CacheControl.parse("private").fieldNames("private"));
    }

    @Test
    void quotedPairsAreUnescaped() {
        assertEquals(Optional.of("a\"b"), CacheControl.parse("ext=\"a\\\"b\", max-age=1").first("ext").get().argument());
    }

    @Test
    void directiveNamesThatAreNotTokensAreIgnored() {
        CacheControl cc = CacheControl.parse("no\"store, max-age=5");
        assertFalse(cc.has("no\"store"));
        assertFalse(cc.has("no-store"));
        assertEquals(Optional.of(Duration.ofSeconds(5)), cc.seconds("max-age"));
    }

    @Test
    void substringsOfDirectiveNamesDoNotMatch() {
        // Comparing the raw string is how gateways got this wrong: "no-store-please" is not no-store.
        assertFalse(CacheControl.parse("no-store-please, x-no-cache").has("no-store"));
        assertFalse(CacheControl.parse("no-store-please, x-no-cache").has("no-cache"));
    }
}
