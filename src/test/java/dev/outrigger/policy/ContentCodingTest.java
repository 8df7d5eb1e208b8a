package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Whether a stored response's content coding may be served to a request (RFC 9110 §12.5.3). */
class ContentCodingTest {

    /** No such header line at all. */
    static final List<String> ABSENT = List.of();

    static Stream<Arguments> table() {
        return Stream.of(
                // no Accept-Encoding: any coding is acceptable
                row("no Accept-Encoding takes identity", ABSENT, null, true),
                row("no Accept-Encoding takes gzip", ABSENT, "gzip", true),
                row("no Accept-Encoding takes zstd", ABSENT, "zstd", true),
                // an empty Accept-Encoding: identity only
                row("empty Accept-Encoding takes identity", lines(""), null, true),
                row("empty Accept-Encoding refuses gzip", lines(""), "gzip", false),
                row("blank Accept-Encoding refuses br", lines("  "), "br", false),
                // listed codings
                row("gzip for gzip", lines("gzip"), "gzip", true),
                row("br for br", lines("gzip, deflate, br"), "br", true),
                row("zstd for zstd", lines("zstd"), "zstd", true),
                row("deflate for deflate", lines("deflate"), "deflate", true),
                row("gzip refuses br", lines("gzip"), "br", false),
                row("gzip refuses zstd", lines("gzip"), "zstd", false),
                row("zstd only refuses gzip", lines("zstd"), "gzip", false),
                row("deflate only refuses gzip", lines("deflate"), "gzip", false),
                row("identity is acceptable when not mentioned", lines("gzip"), null, true),
                row("an explicit identity Content-Encoding is identity", lines("gzip"), "identity", true),
                // aliases and case
                row("x-gzip request accepts gzip", lines("x-gzip"), "gzip", true),
                row("gzip request accepts x-gzip", lines("gzip"), "x-gzip", true),
                row("coding names are case-insensitive in the request", lines("GZIP, Br"), "br", true),
                row("coding names are case-insensitive in the response", lines("gzip"), "GZip", true),
                // q-values
                row("q=0 refuses", lines("br;q=0, gzip"), "br", false),
                row("q=0.000 refuses", lines("gzip;q=0.000"), "gzip", false),
                row("q=0.001 accepts", lines("gzip;q=0.001"), "gzip", true),
                row("q=1 accepts", lines("gzip;q=1"), "gzip", true),
                row("q=1.000 accepts", lines("gzip;q=1.000"), "gzip", true),
                row("Q is case-insensitive", lines("gzip;Q=0"), "gzip", false),
                row("whitespace around the weight", lines("gzip ; q=0.5"), "gzip", true),
                row("an invalid q counts as q=0: letters", lines("gzip;q=abc"), "gzip", false),
                row("an invalid q counts as q=0: above 1", lines("gzip;q=1.5"), "gzip", false),
                row("an invalid q counts as q=0: four decimals", lines("gzip;q=0.5000"), "gzip", false),
                row("an invalid q counts as q=0: empty", lines("gzip;q="), "gzip", false),
                row("an invalid q counts as q=0: negative", lines("gzip;q=-1"), "gzip", false),
                // identity
                row("identity;q=0 refuses an unencoded body", lines("gzip, identity;q=0"), null, false),
                row("identity;q=0 still takes gzip", lines("gzip, identity;q=0"), "gzip", true),
                row("identity listed with q>0", lines("identity;q=0.5"), null, true),
                // *
                row("* accepts any coding", lines("*"), "zstd", true),
                row("* accepts identity", lines("*"), null, true),
                row("*;q=0 refuses unlisted codings", lines("gzip, *;q=0"), "br", false),
                row("*;q=0 keeps the listed ones", lines("gzip, *;q=0"), "gzip", true),
                row("*;q=0 refuses identity when identity is not listed", lines("gzip, *;q=0"), null, false),
                row("*;q=0 with identity listed keeps identity", lines("identity, *;q=0"), null, true),
                row("a listed q=0 beats *", lines("*, gzip;q=0"), "gzip", false),
                row("* with q>0 covers identity", lines("*;q=0.1"), null, true),
                // lists
                row("every coding of a list must be acceptable", lines("gzip, br"), "gzip, br", true),
                row("one unacceptable coding of a list refuses it", lines("gzip"), "gzip, br", false),
                // several Accept-Encoding lines are one list
                row("codings over several lines", lines("gzip", "br"), "br", true),
                row("a refusal on a later line counts", lines("gzip, br", "zstd, br;q=0"), "zstd", true),
                row("the first mention of a coding wins", lines("gzip", "gzip;q=0"), "gzip", true),
                row("codings over several lines refuse the unlisted", lines("gzip", "deflate"), "zstd", false),
                row("malformed elements are skipped", lines("g zip, ;q=1, br"), "br", true));
    }

    static List<String> lines(String... values) {
        return List.of(values);
    }

    static Arguments row(String rule, List<String> acceptEncoding, String contentEncoding, boolean acceptable) {
        List<Map.Entry<String, String>> request = new ArrayList<>();
        acceptEncoding.forEach(v -> request.add(Map.entry("Accept-Encoding", v)));
        Headers stored = contentEncoding == null ? Headers.EMPTY : Headers.of("Content-Encoding", contentEncoding);
        return Arguments.of(rule, Headers.of(request), stored, acceptable);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void storedCodingIsServedOnlyWhenAcceptable(String rule, Headers request, Headers stored, boolean acceptable) {
        assertEquals(acceptable, ContentCoding.acceptable(request, stored), rule);
    }

    @ParameterizedTest(name = "Content-Encoding lines {0} / {1} for gzip-only")
    @CsvSource({"gzip, br", "br, gzip"})
    void everyContentEncodingLineCounts(String first, String second) {
        Headers stored = Headers.of("Content-Encoding", first, "Content-Encoding", second);
        assertEquals(false, ContentCoding.acceptable(Headers.of("Accept-Encoding", "gzip"), stored));
        assertEquals(true, ContentCoding.acceptable(Headers.of("Accept-Encoding", "gzip, br"), stored));
    }

    @ParameterizedTest(name = "qvalue \"{0}\" → {1}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            "0 | 0", "0. | 0", "0.5 | 500", "0.05 | 50", "0.123 | 123", "1 | 1000", "1. | 1000", "1.0 | 1000",
            "1.000 | 1000", "1.001 | -1", "2 | -1", "0.1234 | -1", "'' | -1", ".5 | -1", "0,5 | -1"})
    void qvaluesFollowTheGrammar(String value, int thousandths) {
        assertEquals(thousandths, ContentCoding.qvalue(value));
    }
}
