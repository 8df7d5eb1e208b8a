package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Secondary keys (RFC 9111 §4.1). */
class VaryTest {

    @Test
    void fieldsAreLowercaseSortedAndUnique() {
        assertEquals(List.of("accept", "origin"), Vary.fields(Headers.of("Vary", "Origin, ACCEPT", "vary", "accept")));
    }

    @Test
    void whitespaceAndLineSplittingDoNotMakeANewVariant() {
        List<String> fields = List.of("accept-language");
        assertEquals(Vary.secondaryKey(fields, Headers.of("Accept-Language", "en,  fr")),
                Vary.secondaryKey(fields, Headers.of("Accept-Language", "en", "Accept-Language", "fr")));
    }

    @Test
    void differentValuesAreDifferentVariants() {
        List<String> fields = List.of("accept-language");
        assertNotEquals(Vary.secondaryKey(fields, Headers.of("Accept-Language", "en")),
                Vary.secondaryKey(fields, Headers.of("Accept-Language", "fr")));
    }

    @Test
    void anAbsentHeaderIsItsOwnVariant() {
        List<String> fields = List.of("cookie");
        assertNotEquals(Vary.secondaryKey(fields, Headers.EMPTY), Vary.secondaryKey(fields, Headers.of("Cookie", "")));
        assertNotEquals(Vary.secondaryKey(fields, Headers.EMPTY), Vary.secondaryKey(fields, Headers.of("Cookie", "a=1")));
        assertNotEquals(Vary.secondaryKey(fields, Headers.of("Cookie", "")), Vary.secondaryKey(fields, Headers.of("Cookie", "a=1")));
    }

    @Test
    void anEmptyHeaderIsOneVariantHoweverItIsSpelled() {
        List<String> fields = List.of("accept-language");
        assertEquals(Vary.secondaryKey(fields, Headers.of("Accept-Language", "")),
                Vary.secondaryKey(fields, Headers.of("Accept-Language", "  ")));
    }

    @Test
    void anAbsentFieldDoesNotCollideWithTheNextField() {
        // one line per field: "a" absent and "b" present never reads like "a" present
        List<String> fields = List.of("x-a", "x-b");
        assertNotEquals(Vary.secondaryKey(fields, Headers.of("X-B", "1")), Vary.secondaryKey(fields, Headers.of("X-A", "1")));
    }

    @Test
    void fieldNamesAreCaseInsensitiveOnBothSides() {
        // RFC 9110 §5.1: field names are case-insensitive, in Vary and in the request alike
        List<String> upper = Vary.fields(Headers.of("Vary", "ACCEPT-ENCODING"));
        List<String> lower = Vary.fields(Headers.of("vary", "Accept-Encoding"));
        assertEquals(upper, lower);
        assertEquals(Vary.secondaryKey(upper, Headers.of("Accept-Encoding", "gzip")),
                Vary.secondaryKey(lower, Headers.of("ACCEPT-ENCODING", "gzip")));
    }

    @ParameterizedTest(name = "Accept-Encoding \"{0}\" → \"{1}\"")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            "gzip, deflate, br, zstd       | br,deflate,gzip,zstd",
            "gzip, deflate, br             | br,deflate,gzip",
            "br;q=1.0, gzip,deflate        | br,deflate,gzip",
            "br;q=1.0, gzip;q=0.8, *;q=0.1 | br,deflate,gzip,zstd",
            "gzip                          | gzip",
            "GZIP                          | gzip",
            "x-gzip                        | gzip",
            "zstd                          | zstd",
            "deflate                       | deflate",
            "deflate, gzip;q=0             | deflate",
            "br;q=0, gzip                  | gzip",
            "gzip;q=0.000                  | ''",
            "gzip;q=abc                    | ''",
            "compress                      | ''",
            "identity                      | ''",
            "''                            | ''",
            "*                             | br,deflate,gzip,zstd",
            "*, gzip;q=0                   | br,deflate,zstd",
            "*;q=0                         | ;no-identity",
            "gzip, identity;q=0            | gzip;no-identity",
            "*;q=0, br                     | br;no-identity",
    })
    void acceptEncodingIsKeyedByTheCodingsItAccepts(String acceptEncoding, String key) {
        assertEquals(key, Vary.encodingKey(List.of(acceptEncoding)));
    }

    static final String ABSENT = "ABSENT";

    @ParameterizedTest(name = "\"{0}\" and \"{1}\" share a variant: {2}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            "gzip, deflate, br       | br;q=1.0, gzip,deflate  | true",
            "gzip, deflate, br, zstd | zstd,br,deflate,gzip    | true",
            "gzip                    | x-gzip;q=0.5            | true",
            "gzip                    | GZip                    | true",
            "identity                | ''                      | true",
            "deflate, gzip;q=0       | deflate                 | true",
            "gzip                    | zstd                    | false",
            "gzip                    | deflate                 | false",
            "gzip, br                | br                      | false",
            "gzip                    | gzip, identity;q=0      | false",
            "ABSENT                  | ''                      | false",
            "ABSENT                  | *                       | false",
            "ABSENT                  | identity                | false",
    })
    void requestsShareAnEncodingVariantExactlyWhenTheyAcceptTheSameCodings(String a, String b, boolean shared) {
        List<String> fields = List.of("accept-encoding", "accept-language");
        String keyA = Vary.secondaryKey(fields, acceptEncoding(a));
        String keyB = Vary.secondaryKey(fields, acceptEncoding(b));
        assertEquals(shared, keyA.equals(keyB), keyA + " vs " + keyB);
    }

    @Test
    void acceptEncodingOverSeveralLinesIsOneList() {
        List<String> fields = List.of("accept-encoding");
        assertEquals(Vary.secondaryKey(fields, Headers.of("Accept-Encoding", "br, gzip")),
                Vary.secondaryKey(fields, Headers.of("Accept-Encoding", "gzip", "Accept-Encoding", "br")));
    }

    private static Headers acceptEncoding(String value) {
        return value.equals(ABSENT) ? Headers.EMPTY : Headers.of("Accept-Encoding", value);
    }
}
