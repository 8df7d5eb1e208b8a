package dev.outrigger.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.policy.Headers;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** What is stored compressed, the compression (read back by the JDK's own gzip reader) and the bounded decompression. */
class CompressionTest {

    static final Compression C = Compression.DEFAULT;
    static final byte[] JSON = ("[" + "{\"id\":1,\"name\":\"a product with a name\"},".repeat(200) + "{}]").getBytes(StandardCharsets.UTF_8);

    @Test
    void compressesListedTypesTheOriginSentUncompressed() {
        assertTrue(C.worthCompressing(Headers.of("Content-Type", "application/json; charset=utf-8"), 4096));
        assertTrue(C.worthCompressing(Headers.of("Content-Type", "text/html"), 4096));
        assertTrue(C.worthCompressing(Headers.of("Content-Type", "application/problem+json"), 4096));
        assertTrue(C.worthCompressing(Headers.of("Content-Type", "image/svg+xml", "Content-Encoding", "identity"), 4096));
        assertFalse(C.worthCompressing(Headers.of("Content-Type", "image/png"), 4096), "not on the list");
        assertFalse(C.worthCompressing(Headers.of(), 4096), "no type: not known to compress");
        assertFalse(C.worthCompressing(Headers.of("Content-Type", "application/json"), 1023), "under the minimum");
        assertFalse(C.worthCompressing(Headers.of("Content-Type", "application/json", "Content-Encoding", "gzip"), 4096),
                "the origin's own coding: stored as it came");
        assertFalse(C.worthCompressing(Headers.of("Content-Type", "application/json", "Cache-Control", "max-age=60, no-transform"), 4096));
        assertFalse(Compression.OFF.worthCompressing(Headers.of("Content-Type", "application/json"), 4096));
        assertTrue(new Compression(true, List.of("application/vnd.*"), 0, 100, 1)
                .worthCompressing(Headers.of("Content-Type", "application/vnd.shop.v2+json"), 10));
    }

    @Test
    void compressesToGzipAnyReaderReads() throws Exception {
        byte[] gz = C.compress(JSON);
        assertTrue(gz.length < JSON.length / 5, gz.length + " of " + JSON.length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertArrayEquals(JSON, in.readAllBytes());
        }
        assertArrayEquals(JSON, C.decompress(gz));
    }

    @Test
    void decompressionIsBounded() {
        byte[] bomb = C.compress(new byte[4 << 20]); // 4 MiB of zeros, a few KiB compressed
        assertTrue(bomb.length < 16 << 10);
        Compression.Undecodable e = assertThrows(Compression.Undecodable.class, () -> Compression.decompress(bomb, 1 << 20));
        assertEquals("expands past 1048576 bytes", e.getMessage());
    }

    @Test
    void aDamagedBodyIsUndecodable() {
        byte[] gz = C.compress(JSON);
        assertThrows(Compression.Undecodable.class, () -> C.decompress(JSON), "not gzip");
        assertThrows(Compression.Undecodable.class, () -> C.decompress(java.util.Arrays.copyOf(gz, gz.length - 5)), "truncated");
        byte[] flipped = gz.clone();
        flipped[gz.length - 6] ^= 0x40; // the CRC
        assertThrows(Compression.Undecodable.class, () -> C.decompress(flipped));
    }

    @Test
    void aTransformedRepresentationHasAWeakTag() {
        assertEquals("W/\"v1\"", Compression.weak("\"v1\""));
        assertEquals("W/\"v1\"", Compression.weak("W/\"v1\""));
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new Compression(true, List.of("json"), 1, 1, 6));
        assertThrows(IllegalArgumentException.class, () -> new Compression(true, List.of("text/*"), 1, 1, 10));
    }
}
