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
        assertNotEquals(Vary.secondaryKey(fields, Headers.EMPTY), Vary.secondaryKey(fields, Headers.of("Cookie", "")).concat("x"));
        assertNotEquals(Vary.secondaryKey(fields, Headers.EMPTY), Vary.secondaryKey(fields, Headers.of("Cookie", "a=1")));
    }

    @ParameterizedTest(name = "Accept-Encoding \"{0}\" → {1}")
    @CsvSource(delimiter = '|', value = {
            "gzip, deflate, br, zstd   | br",
            "br;q=1.0, gzip;q=0.8, *;q=0.1 | br",
            "gzip, deflate             | gzip",
            "GZIP                      | gzip",
            "deflate, gzip;q=0         | identity",
            "br;q=0, gzip              | gzip",
            "identity                  | identity",
            "*                         | gzip",
    })
    void acceptEncodingFallsIntoAFewBuckets(String acceptEncoding, String bucket) {
        assertEquals(bucket, Vary.encodingBucket(acceptEncoding));
    }
}
