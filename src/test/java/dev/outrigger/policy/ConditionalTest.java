package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Validation (RFC 9111 §4.3, RFC 9110 §13.1). */
class ConditionalTest {

    static final Instant LM = Instant.parse("2026-01-01T00:00:00Z");
    static final Headers STORED = Headers.of("ETag", "W/\"v1\"", "Last-Modified", HttpDate.format(LM), "Content-Length", "5");

    @ParameterizedTest(name = "If-None-Match {0} → 304: {1}")
    @CsvSource(delimiter = '|', value = {
            "W/\"v1\"          | true",
            "\"v1\"            | true",     // weak comparison (RFC 9110 §8.8.3.2)
            "\"v0\", \"v1\"    | true",
            "*                 | true",
            "\"v2\"            | false",
    })
    void ifNoneMatchUsesWeakComparison(String inm, boolean notModified) {
        assertEquals(notModified, Conditional.notModified(Headers.of("If-None-Match", inm), STORED));
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present
        Headers request = Headers.of("If-None-Match", "\"other\"", "If-Modified-Since", HttpDate.format(LM.plusSeconds(60)));
        assertEquals(false, Conditional.notModified(request, STORED));
    }

    @ParameterizedTest(name = "If-Modified-Since LM{0}s → 304: {1}")
    @CsvSource({"0, true", "60, true", "-60, false"})
    void ifModifiedSinceComparesWithLastModified(long offset, boolean notModified) {
        Headers request = Headers.of("If-Modified-Since", HttpDate.format(LM.plusSeconds(offset)));
        assertEquals(notModified, Conditional.notModified(request, Headers.of("Last-Modified", HttpDate.format(LM))));
    }

    @Test
    void anInvalidIfModifiedSinceIsIgnored() {
        assertEquals(false, Conditional.notModified(Headers.of("If-Modified-Since", "yesterday"), STORED));
    }

    @Test
    void validatorsComeFromTheStoredResponse() {
        Headers v = Conditional.validatorsFor(STORED);
        assertEquals(Optional.of("W/\"v1\""), v.first("If-None-Match"));
        assertEquals(Optional.of(HttpDate.format(LM)), v.first("If-Modified-Since"));
    }

    @Test
    void aNotModifiedUpdatesStoredFieldsButNotTheBodyFraming() {
        // RFC 9111 §4.3.4 and §3.2
        Headers merged = Conditional.merge(
                Headers.of("ETag", "\"v1\"", "Cache-Control", "max-age=60", "Content-Length", "5", "X-Kept", "1"),
                Headers.of("Cache-Control", "max-age=600", "Content-Length", "0", "Date", "Thu, 01 Jan 2026 00:00:00 GMT"));

        assertEquals(List.of("max-age=600"), merged.all("Cache-Control"));
        assertEquals(List.of("5"), merged.all("Content-Length"));
        assertEquals(Optional.of("1"), merged.first("X-Kept"));
        assertEquals(Optional.of("Thu, 01 Jan 2026 00:00:00 GMT"), merged.first("Date"));
    }
}
