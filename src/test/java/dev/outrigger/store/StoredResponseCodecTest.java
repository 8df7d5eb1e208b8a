package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.Headers;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stored-response format every replica reads. */
class StoredResponseCodecTest {

    static final StoredResponse RESPONSE = new StoredResponse(200,
            Headers.of("Cache-Control", "max-age=60", "Vary", "Accept-Encoding", "X-Unicode", "naïve ✓", "Set", "a", "Set", "b"),
            new byte[] {0, 1, 2, (byte) 0xff}, Instant.ofEpochMilli(1_700_000_000_000L), Instant.ofEpochMilli(1_700_000_000_123L));

    @Test
    void aResponseSurvivesTheRoundTrip() {
        assertEquals(Optional.of(RESPONSE), StoredResponseCodec.decode(StoredResponseCodec.encode(RESPONSE)));
    }

    @Test
    void tagsAndAMicrosecondStampSurviveTheRoundTrip() {
        StoredResponse tagged = new StoredResponse(200, Headers.of("Cache-Control", "max-age=60"), new byte[] {7},
                Instant.ofEpochMilli(1_700_000_000_000L), Instant.ofEpochMilli(1_700_000_000_123L),
                java.util.List.of("product-7", "category:shoes", "ünïcode"), Instant.parse("2026-03-01T12:00:00.123456Z"));

        assertEquals(Optional.of(tagged), StoredResponseCodec.decode(StoredResponseCodec.encode(tagged)));
    }

    @Test
    void aVersionOneValueIsAMiss() {
        byte[] bytes = StoredResponseCodec.encode(RESPONSE);
        bytes[2] = 1; // written before tags and stamps existed: refetched, never misread
        assertEquals(Optional.empty(), StoredResponseCodec.decode(bytes));
    }

    @Test
    void repeatedHeaderLinesKeepTheirOrder() {
        StoredResponse back = StoredResponseCodec.decode(StoredResponseCodec.encode(RESPONSE)).orElseThrow();
        assertEquals(java.util.List.of("a", "b"), back.headers().all("Set"));
    }

    @Test
    void anotherVersionIsAMiss() {
        byte[] bytes = StoredResponseCodec.encode(RESPONSE);
        bytes[2] = (byte) (StoredResponseCodec.RESPONSE_VERSION + 1);
        assertEquals(Optional.empty(), StoredResponseCodec.decode(bytes));
    }

    @Test
    void aRouteRuleTravelsWithTheResponse() {
        StoredResponse judged = RESPONSE.withRule(Optional.of("max-age=300, stale-if-error=600"));
        StoredResponse back = StoredResponseCodec.decode(StoredResponseCodec.encode(judged)).orElseThrow();
        assertEquals(judged, back);
        assertEquals("max-age=300, stale-if-error=600", back.policyHeaders().first("Cache-Control").orElseThrow());
        assertEquals(RESPONSE.headers(), back.headers(), "clients still see the origin's own headers");
    }

    @Test
    void aVersionTwoResponseIsStillRead() {
        // version 2: the same layout without the rule field
        byte[] v3 = StoredResponseCodec.encode(RESPONSE);
        int bodyAt = v3.length - 4 - RESPONSE.body().length;
        byte[] v2 = new byte[v3.length - 4];
        System.arraycopy(v3, 0, v2, 0, bodyAt - 4);
        System.arraycopy(v3, bodyAt, v2, bodyAt - 4, v3.length - bodyAt);
        v2[2] = StoredResponseCodec.VERSION;
        assertEquals(RESPONSE, StoredResponseCodec.decode(v2).orElseThrow());
    }

    @Test
    void aTruncatedValueIsAMiss() {
        byte[] bytes = StoredResponseCodec.encode(RESPONSE);
        for (int cut = 0; cut < bytes.length; cut++) {
            assertEquals(Optional.empty(), StoredResponseCodec.decode(Arrays.copyOf(bytes, cut)), "cut at " + cut);
        }
    }

    @Test
    void somethingElseEntirelyIsAMiss() {
        assertEquals(Optional.empty(), StoredResponseCodec.decode("{\"json\":true}".getBytes()));
    }

    @Test
    void aBodyThisCacheCodedTravelsWithItsCodingInVersionFour() {
        StoredResponse coded = RESPONSE.withStoredBody(new byte[] {0x1f, (byte) 0x8b, 8, 0}, java.util.Optional.of("gzip"));
        byte[] bytes = StoredResponseCodec.encode(coded);
        assertEquals(StoredResponseCodec.CODED_VERSION, bytes[2]);
        assertEquals(java.util.Optional.of(coded), StoredResponseCodec.decode(bytes));
        // one this cache did not code stays version 3: replicas that predate version 4 still read it
        assertEquals(StoredResponseCodec.RESPONSE_VERSION, StoredResponseCodec.encode(RESPONSE)[2]);
    }
}
