package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.Compression;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Compressed storage against a real origin and a real Redis shared by two replicas: a compressible response the origin
 * sent uncompressed is stored once, gzip-compressed; a client that accepts gzip gets the stored bytes, one that does not
 * gets them decompressed; conditionals, HEAD and ranges answer for the representation each gets; a body that would
 * expand past the bound is not served from the cache.
 */
class CompressedStorageTest {

    static final String DOC = "[" + "{\"sku\":\"A-1\",\"name\":\"a product\",\"price\":12.5},".repeat(300) + "{}]";
    static final byte[] BYTES = DOC.getBytes(StandardCharsets.UTF_8);

    static TestRedis testRedis;
    OriginServer origin;
    Deployment deployment;

    @BeforeAll
    static void startRedis() throws Exception {
        testRedis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        testRedis.close();
    }

    @BeforeEach
    void start() throws Exception {
        testRedis.flush();
        origin = OriginServer.start();
        origin.respond("/doc", Response.ok(DOC).header("Content-Type", "application/json").header("ETag", "\"v1\"")
                .header("Cache-Control", "max-age=600"));
        deployment = new Deployment(testRedis, origin);
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
    }

    TestProxy replica(Compression compression) throws Exception {
        return deployment.replica(Clock.systemUTC(), CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)),
                CacheSettings.DEFAULT.withCompression(compression));
    }

    /** The first answer, then until the compressed copy is in Redis (compressing runs after the client has its answer). */
    void stored(TestProxy p) throws Exception {
        assertEquals(200, Deployment.get(p.port(), "/doc").status());
        Await.until(() -> p.counter("outrigger.compress.stored.bytes") > 0 && p.coalescer().inFlight() == 0, "the copy is stored");
    }

    static byte[] gunzip(byte[] body) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @Test
    void storedOnceCompressedAndServedToBothKindsOfClient() throws Exception {
        TestProxy a = replica(Compression.DEFAULT);
        TestProxy b = replica(Compression.DEFAULT);
        stored(a);
        double received = a.counter("outrigger.compress.received.bytes");
        double kept = a.counter("outrigger.compress.stored.bytes");
        assertEquals(BYTES.length, received);
        assertTrue(kept < received / 10, kept + " bytes stored for " + received);

        // from Redis, on the other replica: gzip as stored for a client that takes it
        RawHttp.Response gz = Deployment.get(b.port(), "/doc", "Accept-Encoding: br;q=1, gzip;q=0.8");
        assertEquals("HIT", gz.header("X-Cache"));
        assertEquals("gzip", gz.header("Content-Encoding"));
        assertEquals(Integer.toString(gz.body().length), gz.header("Content-Length"));
        assertEquals((int) kept, gz.body().length);
        assertEquals("W/\"v1\"", gz.header("ETag"), "a transformed representation's tag is weak");
        assertEquals("Accept-Encoding", gz.header("Vary"));
        assertArrayEquals(BYTES, gunzip(gz.body()));

        // decompressed for one that does not (none, refused, or only identity)
        for (String[] headers : new String[][] {{}, {"Accept-Encoding: gzip;q=0, identity"}, {"Accept-Encoding: identity"}}) {
            RawHttp.Response plain = Deployment.get(b.port(), "/doc", headers);
            assertEquals("HIT", plain.header("X-Cache"), Arrays.toString(headers));
            assertNull(plain.header("Content-Encoding"));
            assertEquals("\"v1\"", plain.header("ETag"));
            assertEquals("Accept-Encoding", plain.header("Vary"));
            assertArrayEquals(BYTES, plain.body(), Arrays.toString(headers));
        }
        assertEquals(1.0, b.counter("outrigger.compress.decompressions"), "decompressed once; the copy keeps it for the next");
        RawHttp.Response any = Deployment.get(b.port(), "/doc", "Accept-Encoding: *;q=0.5");
        assertEquals("gzip", any.header("Content-Encoding"));
        assertEquals(1, origin.hits("/doc"), "one fetch, one stored copy, every client served from it");
    }

    @Test
    void conditionalsHeadAndRangesAnswerForTheRepresentationSent() throws Exception {
        TestProxy a = replica(Compression.DEFAULT);
        stored(a);

        RawHttp.Response gz304 = Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip", "If-None-Match: W/\"v1\"");
        assertEquals(304, gz304.status());
        assertEquals("W/\"v1\"", gz304.header("ETag"));
        assertEquals("Accept-Encoding", gz304.header("Vary"));
        RawHttp.Response plain304 = Deployment.get(a.port(), "/doc", "If-None-Match: \"v1\"");
        assertEquals(304, plain304.status());
        assertEquals("\"v1\"", plain304.header("ETag"));
        assertEquals(304, Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip", "If-None-Match: \"v1\"").status(),
                "If-None-Match compares weakly");

        RawHttp.Response gzFull = Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip");
        try (RawHttp c = RawHttp.connect(a.port())) {
            RawHttp.Response head = c.exchange("HEAD /doc HTTP/1.1\nHost: " + Deployment.HOST + "\nAccept-Encoding: gzip\n\n");
            assertEquals(gzFull.header("Content-Length"), head.header("Content-Length"));
            assertEquals("gzip", head.header("Content-Encoding"));
        }
        try (RawHttp c = RawHttp.connect(a.port())) {
            RawHttp.Response head = c.exchange("HEAD /doc HTTP/1.1\nHost: " + Deployment.HOST + "\n\n");
            assertEquals(Integer.toString(BYTES.length), head.header("Content-Length"));
            assertNull(head.header("Content-Encoding"));
        }

        RawHttp.Response plainRange = Deployment.get(a.port(), "/doc", "Range: bytes=0-9");
        assertEquals(206, plainRange.status());
        assertEquals("bytes 0-9/" + BYTES.length, plainRange.header("Content-Range"));
        assertArrayEquals(Arrays.copyOf(BYTES, 10), plainRange.body());
        RawHttp.Response gzRange = Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip", "Range: bytes=0-9");
        assertEquals(206, gzRange.status());
        assertEquals("gzip", gzRange.header("Content-Encoding"));
        assertEquals("bytes 0-9/" + gzFull.body().length, gzRange.header("Content-Range"));
        assertArrayEquals(Arrays.copyOf(gzFull.body(), 10), gzRange.body());
        // If-Range needs a strong tag: the gzip representation's weak one never satisfies it, so the whole of it goes
        RawHttp.Response ifRange = Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip", "Range: bytes=0-9", "If-Range: \"v1\"");
        assertEquals(200, ifRange.status());
        assertEquals(1, origin.hits("/doc"));
    }

    @Test
    void whatTheOriginCompressedOrCannotCompressIsStoredAsItCame() throws Exception {
        origin.respond("/small", Response.ok("{\"a\":1}").header("Content-Type", "application/json").header("Cache-Control", "max-age=600"));
        origin.respond("/png", Response.ok(DOC).header("Content-Type", "image/png").header("Cache-Control", "max-age=600"));
        TestProxy a = replica(Compression.DEFAULT);
        for (String path : new String[] {"/small", "/png"}) {
            assertEquals(200, Deployment.get(a.port(), path).status());
            Await.until(() -> "HIT".equals(Deployment.get(a.port(), path, "Accept-Encoding: gzip").header("X-Cache")), path + " stored");
            RawHttp.Response r = Deployment.get(a.port(), path, "Accept-Encoding: gzip");
            assertNull(r.header("Content-Encoding"), path);
            assertNull(r.header("Vary"), path);
        }
        assertEquals(0.0, a.counter("outrigger.compress.received.bytes"));

        TestProxy off = replica(Compression.OFF);
        origin.respond("/doc2", Response.ok(DOC).header("Content-Type", "application/json").header("Cache-Control", "max-age=600"));
        assertEquals(200, Deployment.get(off.port(), "/doc2").status());
        Await.until(() -> "HIT".equals(Deployment.get(off.port(), "/doc2", "Accept-Encoding: gzip").header("X-Cache")), "stored");
        assertNull(Deployment.get(off.port(), "/doc2", "Accept-Encoding: gzip").header("Content-Encoding"), "compression off");
    }

    @Test
    void aWriteCompressedAfterAnInvalidationDoesNotBringTheOldBodyBack() throws Exception {
        java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger(1);
        String big = DOC.repeat(30); // ~400 KB: compressing it takes a moment after the client has it
        origin.on("/item", req -> {
            if (req.method() == io.vertx.core.http.HttpMethod.POST) {
                version.incrementAndGet();
                req.response().end("ok");
            } else {
                req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "max-age=600")
                        .end("{\"v\":" + version.get() + ",\"d\":" + big + "}");
            }
        });
        for (int round = 0; round < 5; round++) {
            testRedis.flush();
            TestProxy p = TestProxy.start(origin, Clock.systemUTC(), null, CacheSettings.DEFAULT, dev.outrigger.coalesce.Leases.LOCAL,
                    CoalesceSettings.DEFAULT);
            try {
                double compressed = p.counter("outrigger.compress.stored.bytes");
                int before = version.get();
                assertTrue(p.get("/item").text().startsWith("{\"v\":" + before));
                assertEquals(200, p.request("POST", "/item", "Content-Length: 0").status()); // invalidates /item
                Await.until(() -> p.counter("outrigger.compress.stored.bytes") > compressed, "the first answer was compressed");
                RawHttp.Response after = p.get("/item");
                assertTrue(after.text().startsWith("{\"v\":" + (before + 1)), "round " + round + ": " + after.header("X-Cache") + " "
                        + after.header("Cache-Status") + " age " + after.header("Age") + " " + after.text().substring(0, 8));
            } finally {
                p.close();
            }
        }
    }

    @Test
    void noTransformHeadAnd304NeedNoDecompressionOrGetTheOriginsForm() throws Exception {
        TestProxy a = replica(Compression.DEFAULT);
        stored(a);
        RawHttp.Response untransformed = Deployment.get(a.port(), "/doc", "Accept-Encoding: gzip", "Cache-Control: no-transform");
        assertNull(untransformed.header("Content-Encoding"), "RFC 9111 §5.2.1.6: the application's own form");
        assertArrayEquals(BYTES, untransformed.body());
        double decompressed = a.counter("outrigger.compress.decompressions");
        try (RawHttp c = RawHttp.connect(a.port())) {
            RawHttp.Response head = c.exchange("HEAD /doc HTTP/1.1\nHost: " + Deployment.HOST + "\n\n");
            assertEquals(Integer.toString(BYTES.length), head.header("Content-Length"), "from the gzip trailer");
        }
        assertEquals(304, Deployment.get(a.port(), "/doc", "If-None-Match: \"v1\"").status());
        assertEquals(decompressed, a.counter("outrigger.compress.decompressions"), "no body sent, nothing decompressed");
    }

    @Test
    void aBodyThatWouldExpandPastTheBoundIsNotServedFromTheCache() throws Exception {
        TestProxy a = replica(Compression.DEFAULT);
        stored(a);
        // a replica whose bound is smaller than the stored body expands to
        TestProxy bounded = replica(new Compression(true, Compression.DEFAULT_TYPES, 1024, 4096, 6));

        RawHttp.Response plain = Deployment.get(bounded.port(), "/doc");
        assertEquals(200, plain.status());
        assertEquals("MISS", plain.header("X-Cache"), "not decompressed past the bound: fetched instead");
        assertArrayEquals(BYTES, plain.body());
        assertTrue(bounded.counter("outrigger.compress.undecodable") >= 1, "counted (once per lookup: the flight looks again first)");
        assertEquals(2, origin.hits("/doc"));
        // a client that takes gzip needs no decompression
        assertEquals("HIT", Deployment.get(bounded.port(), "/doc", "Accept-Encoding: gzip").header("X-Cache"));
    }
}
