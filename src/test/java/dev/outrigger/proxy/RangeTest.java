package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Range requests (RFC 9110 §14) answered from a stored complete response; partial answers never stored as whole ones. */
class RangeTest {

    static final String BODY = "0123456789abcdefghij";

    OriginServer origin;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s);
        origin.on("/file", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60").putHeader("ETag", "\"f1\"")
                    .putHeader("Last-Modified", "Sun, 01 Mar 2026 10:00:00 GMT").end(BODY);
        });
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }


    void stored() throws InterruptedException {
        proxy.await("HIT", "/file");
    }

    @Test
    void aSingleRangeIsAnswered206FromTheStoredResponse() throws Exception {
        proxy.get("/file");
        stored();

        RawHttp.Response part = proxy.get("/file", "Range: bytes=2-5");

        assertEquals(206, part.status());
        assertEquals("2345", part.text());
        assertEquals("bytes 2-5/20", part.header("Content-Range"));
        assertEquals("4", part.header("Content-Length"));
        assertEquals("HIT", part.header("X-Cache"));
        assertEquals("ghij", proxy.get("/file", "Range: bytes=-4").text());
        assertEquals("hij", proxy.get("/file", "Range: bytes=17-").text());
        assertEquals(1, origin.hits("/file"));
    }

    @Test
    void anUnsatisfiableRangeIsAnswered416() throws Exception {
        proxy.get("/file");
        stored();

        RawHttp.Response r = proxy.get("/file", "Range: bytes=50-60");

        assertEquals(416, r.status());
        assertEquals("bytes */20", r.header("Content-Range"));
        assertEquals("", r.text());
    }

    @Test
    void ifRangeThatDoesNotMatchGetsTheWholeResponse() throws Exception {
        proxy.get("/file");
        stored();

        RawHttp.Response stale = proxy.get("/file", "Range: bytes=0-1", "If-Range: \"old\"");
        RawHttp.Response current = proxy.get("/file", "Range: bytes=0-1", "If-Range: \"f1\"");

        assertEquals(200, stale.status());
        assertEquals(BODY, stale.text());
        assertEquals(206, current.status());
        assertEquals("01", current.text());
    }

    @Test
    void severalRangesGetTheWholeResponse() throws Exception {
        proxy.get("/file");
        stored();

        RawHttp.Response r = proxy.get("/file", "Range: bytes=0-1,4-5");

        assertEquals(200, r.status());
        assertEquals(BODY, r.text());
    }

    @Test
    void aPartialAnswerFromTheUpstreamPassesThroughAndIsNotStored() throws Exception {
        origin.on("/video", req -> {
            if (req.getHeader("Range") != null) {
                req.response().setStatusCode(206).putHeader("Cache-Control", "max-age=60")
                        .putHeader("Content-Range", "bytes 0-1/10").end("ab");
            } else {
                req.response().putHeader("Cache-Control", "max-age=60").end("abcdefghij");
            }
        });

        RawHttp.Response part = proxy.get("/video", "Range: bytes=0-1");
        RawHttp.Response whole = proxy.get("/video");

        assertEquals(206, part.status());
        assertEquals("ab", part.text());
        assertEquals("MISS", whole.header("X-Cache"), "the 206 was not stored as the whole response");
        assertEquals("abcdefghij", whole.text());
    }

    @Test
    void headIgnoresRange() throws Exception {
        proxy.get("/file");
        stored();

        try (RawHttp c = RawHttp.connect(proxy.port())) {
            RawHttp.Response head = c.exchange("HEAD /file HTTP/1.1\nHost: shop.test\nRange: bytes=0-1\n\n");
            assertEquals(200, head.status());
            assertEquals("20", head.header("Content-Length"));
            assertNull(head.header("Content-Range"));
        }
    }
}
