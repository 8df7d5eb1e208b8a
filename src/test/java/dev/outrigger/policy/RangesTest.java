package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.Ranges.Answer;
import dev.outrigger.policy.Ranges.Full;
import dev.outrigger.policy.Ranges.Partial;
import dev.outrigger.policy.Ranges.Unsatisfiable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Range requests served from a stored full response (RFC 9110 §14, If-Range §13.1.5). */
class RangesTest {

    static final Instant T = Instant.parse("2026-01-01T12:00:00Z");
    static final String LM = HttpDate.format(T.minusSeconds(3600));
    static final Headers STORED = Headers.of("ETag", "\"v1\"", "Last-Modified", LM, "Date", HttpDate.format(T));
    static final long LENGTH = 1000;

    static final Answer FULL = new Full();

    static Partial partial(long first, long last) {
        return new Partial(first, last, LENGTH);
    }

    static final Unsatisfiable UNSATISFIABLE = new Unsatisfiable(LENGTH);

    static Stream<Arguments> ranges() {
        return Stream.of(
                row("no Range", null, FULL),
                // one range-spec (§14.1.1)
                row("first-last", "bytes=0-99", partial(0, 99)),
                row("first-", "bytes=100-", partial(100, 999)),
                row("suffix", "bytes=-100", partial(900, 999)),
                row("a suffix longer than the body is all of it", "bytes=-2000", partial(0, 999)),
                row("last clamped to the end", "bytes=0-5000", partial(0, 999)),
                row("the last byte", "bytes=999-999", partial(999, 999)),
                row("the first byte", "bytes=0-0", partial(0, 0)),
                row("a last-pos too large for a long is clamped", "bytes=0-99999999999999999999999", partial(0, 999)),
                row("the unit is case-insensitive", "BYTES=0-9", partial(0, 9)),
                row("surrounding whitespace", "  bytes=0-9  ", partial(0, 9)),
                row("whitespace around the element", "bytes= 0-9 ", partial(0, 9)),
                row("empty list elements are ignored", "bytes=,0-9,", partial(0, 9)),
                // unsatisfiable (§14.1.1, §15.5.17)
                row("first at the length", "bytes=1000-", UNSATISFIABLE),
                row("wholly past the end", "bytes=1000-2000", UNSATISFIABLE),
                row("a zero-length suffix", "bytes=-0", UNSATISFIABLE),
                row("a first-pos too large for a long", "bytes=99999999999999999999999-", UNSATISFIABLE),
                row("several ranges, none satisfiable", "bytes=2000-3000, 5000-", UNSATISFIABLE),
                // several ranges: the whole body (§14.2 allows ignoring Range)
                row("two ranges", "bytes=0-9,20-29", FULL),
                row("two ranges, one satisfiable", "bytes=0-9, 2000-3000", FULL),
                row("overlapping ranges", "bytes=0-99, 50-", FULL),
                // invalid: ignored
                row("last before first", "bytes=9-0", FULL),
                row("not numbers", "bytes=abc", FULL),
                row("an empty set", "bytes=", FULL),
                row("only empty elements", "bytes=, ,", FULL),
                row("a lone dash", "bytes=-", FULL),
                row("two dashes", "bytes=0-9-10", FULL),
                row("a sign", "bytes=+1-5", FULL),
                row("a negative suffix", "bytes=--5", FULL),
                row("inner whitespace", "bytes=0 - 9", FULL),
                row("one invalid element spoils the set", "bytes=0-9, x", FULL),
                row("another unit", "items=0-9", FULL),
                row("no equals sign", "bytes 0-9", FULL),
                row("a unit that only starts like bytes", "bytesx=0-9", FULL));
    }

    static Arguments row(String rule, String range, Answer expected) {
        Headers request = range == null ? Headers.EMPTY : Headers.of("Range", range);
        return Arguments.of(rule, request, STORED, LENGTH, expected);
    }

    static Stream<Arguments> ifRange() {
        Headers weakEtag = Headers.of("ETag", "W/\"v1\"", "Date", HttpDate.format(T));
        Headers lmAtDate = Headers.of("Last-Modified", LM, "Date", LM);
        Headers lmOneSecondBefore = Headers.of("Last-Modified", LM, "Date", HttpDate.format(T.minusSeconds(3599)));
        Headers lmWithoutDate = Headers.of("Last-Modified", LM);
        return Stream.of(
                ifRange("a strongly matching entity-tag", "\"v1\"", STORED, partial(0, 9)),
                ifRange("another entity-tag", "\"v2\"", STORED, FULL),
                ifRange("a weak requested tag never matches", "W/\"v1\"", STORED, FULL),
                ifRange("a weak stored tag never matches", "\"v1\"", weakEtag, FULL),
                ifRange("both weak", "W/\"v1\"", weakEtag, FULL),
                ifRange("an entity-tag when nothing stored has one", "\"v1\"", lmOneSecondBefore, FULL),
                ifRange("entity-tags compare case-sensitively", "\"V1\"", STORED, FULL),
                ifRange("the stored Last-Modified, strong", LM, STORED, partial(0, 9)),
                ifRange("Last-Modified exactly one second before Date is strong", LM, lmOneSecondBefore, partial(0, 9)),
                ifRange("Last-Modified equal to Date is weak", LM, lmAtDate, FULL),
                ifRange("no stored Date: Last-Modified cannot be shown strong", LM, lmWithoutDate, FULL),
                ifRange("a later date", HttpDate.format(T), STORED, FULL),
                ifRange("an earlier date", HttpDate.format(T.minusSeconds(7200)), STORED, FULL),
                ifRange("a date when nothing stored has Last-Modified", LM, Headers.of("ETag", "\"v1\"", "Date", HttpDate.format(T)), FULL),
                ifRange("garbage", "yesterday", STORED, FULL),
                ifRange("empty", "", STORED, FULL));
    }

    static Arguments ifRange(String rule, String ifRange, Headers stored, Answer expected) {
        return Arguments.of("If-Range: " + rule, Headers.of("Range", "bytes=0-9", "If-Range", ifRange), stored, LENGTH, expected);
    }

    static Stream<Arguments> edges() {
        List<Map.Entry<String, String>> twoRanges = new ArrayList<>();
        twoRanges.add(Map.entry("Range", "bytes=0-9"));
        twoRanges.add(Map.entry("Range", "bytes=10-19"));
        return Stream.of(
                Arguments.of("an empty body ignores Range", Headers.of("Range", "bytes=0-9"), STORED, 0L, FULL),
                Arguments.of("an empty body ignores a suffix", Headers.of("Range", "bytes=-5"), STORED, 0L, FULL),
                Arguments.of("an empty body ignores an unsatisfiable range", Headers.of("Range", "bytes=5-"), STORED, 0L, FULL),
                Arguments.of("Range is a singleton: two lines are ignored", Headers.of(twoRanges), STORED, LENGTH, FULL),
                Arguments.of("If-Range without Range does nothing", Headers.of("If-Range", "\"v2\""), STORED, LENGTH, FULL),
                Arguments.of("a failed If-Range beats an unsatisfiable range", Headers.of("Range", "bytes=5000-", "If-Range", "\"v2\""), STORED, LENGTH, FULL),
                Arguments.of("a matching If-Range with an unsatisfiable range", Headers.of("Range", "bytes=5000-", "If-Range", "\"v1\""), STORED, LENGTH, UNSATISFIABLE),
                Arguments.of("a one-byte body", Headers.of("Range", "bytes=-5"), STORED, 1L, new Partial(0, 0, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"ranges", "ifRange", "edges"})
    void rangeRequestsFollowTheRfc(String rule, Headers request, Headers stored, long length, Answer expected) {
        assertEquals(expected, Ranges.evaluate(request, stored, length), rule);
    }

    @Test
    void contentRangeNamesTheBytesSentOrTheLength() {
        // RFC 9110 §14.4
        assertEquals("bytes 0-99/1000", new Partial(0, 99, 1000).contentRange());
        assertEquals("bytes 900-999/1000", ((Partial) Ranges.evaluate(Headers.of("Range", "bytes=-100"), STORED, 1000)).contentRange());
        assertEquals("bytes */1000", new Unsatisfiable(1000).contentRange());
    }
}
