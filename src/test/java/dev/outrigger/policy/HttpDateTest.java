package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP-date (RFC 9110 §5.6.7): one form sent, three accepted. */
class HttpDateTest {

    static final Instant EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

    @ParameterizedTest
    @ValueSource(strings = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"})
    void allThreeFormsNameTheSameInstant(String value) {
        assertEquals(Optional.of(EXAMPLE), HttpDate.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Thursday, 01-Jan-26 12:00:00 GMT", "Thu Jan  1 12:00:00 2026", "Thu, 01 Jan 2026 12:00:00 GMT"})
    void aDateThisCenturyReadsTheSameInEveryForm(String value) {
        // RFC 850's two-digit year: 26 is 2026, not 1926
        assertEquals(Optional.of(Instant.parse("2026-01-01T12:00:00Z")), HttpDate.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT"})
    void anythingElseIsInvalid(String value) {
        assertEquals(Optional.empty(), HttpDate.parse(value));
    }

    @Test
    void formatAndParseRoundTripOverManyDates() {
        for (long t = 0; t < 4_000_000_000L; t += 86_399_937L) {
            Instant i = Instant.ofEpochSecond(t);
            assertEquals(Optional.of(i), HttpDate.parse(HttpDate.format(i)), i.toString());
        }
    }

    @Test
    void formatWritesImfFixdate() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(EXAMPLE));
    }
}
