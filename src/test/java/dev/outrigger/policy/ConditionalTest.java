package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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

    /** RFC 9110 §13.1.2 for a client's conditional answered from the cache, the If-None-Match lines as sent. */
    static Stream<Arguments> ifNoneMatch() {
        return Stream.of(
                inm("weak request, weak stored", "W/\"v1\"", List.of("W/\"v1\""), true),
                inm("strong request, weak stored", "W/\"v1\"", List.of("\"v1\""), true),
                inm("weak request, strong stored", "\"v1\"", List.of("W/\"v1\""), true),
                inm("strong both", "\"v1\"", List.of("\"v1\""), true),
                inm("one of a list", "\"v1\"", List.of("\"a\", \"b\",\"v1\""), true),
                inm("a list over several lines", "\"v1\"", List.of("\"a\"", "\"b\", W/\"v1\""), true),
                inm("no match over several lines", "\"v1\"", List.of("\"a\"", "\"b\""), false),
                inm("empty list elements are ignored", "\"v1\"", List.of(" , ,\"v1\","), true),
                inm("surrounding whitespace", "\"v1\"", List.of("   \"v1\"   "), true),
                inm("opaque-tags compare case-sensitively", "\"v1\"", List.of("\"V1\""), false),
                inm("an unquoted tag is not the quoted one", "\"v1\"", List.of("v1"), false),
                inm("the weak indicator is case-sensitive", "\"v1\"", List.of("w/\"v1\""), false),
                inm("an empty field matches nothing", "\"v1\"", List.of(""), false),
                inm("* matches a stored response", "\"v1\"", List.of("*"), true),
                inm("* matches a stored response without an ETag", null, List.of("*"), true),
                inm("a tag cannot match a stored response without an ETag", null, List.of("\"v1\""), false),
                inm("an empty stored ETag matches no empty element", "", List.of(" , "), false));
    }

    static Arguments inm(String rule, String storedEtag, List<String> lines, boolean notModified) {
        List<Map.Entry<String, String>> request = new ArrayList<>();
        lines.forEach(l -> request.add(Map.entry("If-None-Match", l)));
        Headers stored = storedEtag == null ? Headers.of("Content-Length", "5") : Headers.of("ETag", storedEtag, "Content-Length", "5");
        return Arguments.of(rule, Headers.of(request), stored, notModified);
    }

    @ParameterizedTest(name = "{0} → 304: {3}")
    @MethodSource("ifNoneMatch")
    void ifNoneMatchFromTheCache(String rule, Headers request, Headers stored, boolean notModified) {
        assertEquals(notModified, Conditional.notModified(request, stored), rule);
    }

    @Test
    void ifNoneMatchWithoutAStoredEtagStillSilencesIfModifiedSince() {
        // RFC 9110 §13.1.3: If-Modified-Since is ignored whenever If-None-Match is present
        Headers stored = Headers.of("Last-Modified", HttpDate.format(LM));
        Headers request = Headers.of("If-None-Match", "\"v1\"", "If-Modified-Since", HttpDate.format(LM.plusSeconds(60)));
        assertEquals(false, Conditional.notModified(request, stored));
    }

    @ParameterizedTest(name = "{0} → validator: {1}")
    @MethodSource("validators")
    void aValidatorIsAnEtagOrAValidLastModified(String rule, boolean expected, Headers response) {
        assertEquals(expected, Conditional.hasValidator(response), rule);
    }

    static Stream<Arguments> validators() {
        return Stream.of(
                Arguments.of("ETag", true, Headers.of("ETag", "\"v1\"")),
                Arguments.of("weak ETag", true, Headers.of("ETag", "W/\"v1\"")),
                Arguments.of("Last-Modified", true, Headers.of("Last-Modified", HttpDate.format(LM))),
                Arguments.of("Last-Modified in asctime form", true, Headers.of("Last-Modified", "Thu Jan  1 00:00:00 2026")),
                Arguments.of("an invalid Last-Modified", false, Headers.of("Last-Modified", "yesterday")),
                Arguments.of("both", true, STORED),
                Arguments.of("neither", false, Headers.of("Cache-Control", "max-age=60", "Date", HttpDate.format(LM))),
                Arguments.of("a header name in any case", true, Headers.of("etag", "\"v1\"")));
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

    /**
     * RFC 9111 §4.3.4: a 304 may tighten what the origin allows. The merged headers carry it, so the
     * caller's storability check on them refuses the refreshed entry, or sees the new Vary fields.
     */
    static Stream<Arguments> tighteningNotModified() {
        return Stream.of(
                Arguments.of("private", Headers.of("Cache-Control", "private, max-age=60"), "private"),
                Arguments.of("no-store", Headers.of("Cache-Control", "no-store"), "no-store"),
                Arguments.of("lowercase cache-control name", Headers.of("cache-control", "no-store"), "no-store"),
                Arguments.of("Private spelled differently", Headers.of("Cache-Control", "Private"), "private"),
                Arguments.of("Vary: *", Headers.of("Vary", "*"), "Vary: *"));
    }

    @ParameterizedTest(name = "a 304 adding {0} makes the merged response not storable")
    @MethodSource("tighteningNotModified")
    void aNotModifiedCanMakeTheStoredResponseUnstorable(String rule, Headers notModified, String reason) {
        Headers stored = Headers.of("ETag", "\"v1\"", "Cache-Control", "public, max-age=60", "Content-Length", "5");
        assertEquals(new Storability.Storable(), Storability.forSharedCache("GET", Headers.EMPTY, 200, stored, false));

        Headers merged = Conditional.merge(stored, notModified);
        assertEquals(new Storability.NotStorable(reason), Storability.forSharedCache("GET", Headers.EMPTY, 200, merged, false), rule);
    }

    @ParameterizedTest(name = "stored Vary \"{0}\" + 304 Vary \"{1}\" → {2}")
    @CsvSource(delimiter = '|', value = {
            "''              | Accept-Language         | accept-language",
            "Accept-Encoding | Accept-Language         | accept-language",
            "Accept-Encoding | Accept-Encoding, Origin | accept-encoding,origin",
    })
    void aNotModifiedCanChangeWhatTheResponseVariesOn(String storedVary, String newVary, String fields) {
        Headers stored = storedVary.isEmpty()
                ? Headers.of("ETag", "\"v1\"", "Cache-Control", "max-age=60")
                : Headers.of("ETag", "\"v1\"", "Cache-Control", "max-age=60", "Vary", storedVary);
        Headers merged = Conditional.merge(stored, Headers.of("Vary", newVary));
        assertEquals(List.of(fields.split(",")), Vary.fields(merged));
        assertEquals(new Storability.Storable(), Storability.forSharedCache("GET", Headers.EMPTY, 200, merged, false));
    }

    @Test
    void aNotModifiedWithoutCacheControlKeepsTheStoredOne() {
        Headers stored = Headers.of("ETag", "\"v1\"", "Cache-Control", "private");
        Headers merged = Conditional.merge(stored, Headers.of("Date", HttpDate.format(LM)));
        assertEquals(List.of("private"), merged.all("Cache-Control"));
    }
}
