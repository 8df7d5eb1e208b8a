package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the proxy must refuse itself: each gets the right status and a one-line reason, never reaches
 * the upstream, and leaves the proxy serving everyone else.
 */
class BadRequestTest {

    static OriginServer origin;
    static TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s.withLimits(1024, 2048, 1000));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @BeforeEach
    void resetOrigin() {
        origin.reset();
    }

    @AfterEach
    void othersAreStillServed() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            assertEquals(200, client.exchange("GET /healthy HTTP/1.1\nHost: app\n\n").status());
        }
    }

    private static RawHttp.Response refused(String request, int status) throws Exception {
        double errors = proxy.requests("error");
        RawHttp.Response r;
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            r = client.exchange(request);
            assertEquals(status, r.status(), r.text());
            assertTrue(r.text().endsWith("\n") && r.text().strip().lines().count() == 1, "one-line reason: " + r.text());
            assertTrue(client.closedByPeer(), "the connection is closed after a refused request");
        }
        assertEquals(errors + 1, proxy.requests("error"));
        return r;
    }

    @Test
    void overLongRequestLineGets414() throws Exception {
        refused("GET /" + "a".repeat(2000) + " HTTP/1.1\nHost: app\n\n", 414);
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        refused("GET /h HTTP/1.1\nHost: app\nX-Big: " + "b".repeat(3000) + "\n\n", 431);
    }

    @Test
    void malformedRequestLineGets400() throws Exception {
        refused("THIS IS NOT HTTP\n\n", 400);
    }

    @Test
    void malformedHeaderLineGets400() throws Exception {
        refused("GET /h HTTP/1.1\nHost: app\nNo colon here\n\n", 400);
    }

    @Test
    void contentLengthWithTransferEncodingGets400AndNeverReachesTheUpstream() throws Exception {
        // The classic CL.TE smuggling shape (RFC 9112 §6.3, §11.2).
        refused("POST /smuggle HTTP/1.1\nHost: app\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\n\nG", 400);
        assertEquals(0, origin.hits("/smuggle"));
    }

    @Test
    void conflictingContentLengthsGet400AndNeverReachTheUpstream() throws Exception {
        refused("POST /smuggle HTTP/1.1\nHost: app\nContent-Length: 3\nContent-Length: 5\n\nabcde", 400);
        assertEquals(0, origin.hits("/smuggle"));
    }

    @Test
    void transferEncodingNotEndingInChunkedGets400() throws Exception {
        refused("POST /te HTTP/1.1\nHost: app\nTransfer-Encoding: gzip\n\nabc", 400);
        assertEquals(0, origin.hits("/te"));
    }

    @Test
    void declaredBodyOverTheLimitGets413WithoutReachingTheUpstream() throws Exception {
        refused("POST /big HTTP/1.1\nHost: app\nContent-Length: 1001\n\n", 413);
        assertEquals(0, origin.hits("/big"));
    }

    @Test
    void chunkedBodyOverTheLimitGets413() throws Exception {
        String chunk = "x".repeat(600);
        refused("POST /big HTTP/1.1\nHost: app\nTransfer-Encoding: chunked\n\n258\n" + chunk + "\n258\n" + chunk + "\n0\n\n", 413);
    }

    @Test
    void requestsCutOffForTheirOwnFaultDoNotMakeTheAppCountAsFailing() throws Exception {
        String chunk = "x".repeat(600);
        for (int i = 0; i < 2 * dev.outrigger.upstream.UpstreamHealth.Settings.DEFAULT.failingAfter(); i++) {
            refused("POST /big HTTP/1.1\nHost: app\nTransfer-Encoding: chunked\n\n258\n" + chunk + "\n258\n" + chunk + "\n0\n\n", 413);
        }
        assertEquals(dev.outrigger.upstream.UpstreamHealth.State.HEALTHY, proxy.health().state());
        assertEquals(0, proxy.counter("outrigger.upstream.failures", "reason", "closed"));
    }

    @Test
    void bodyAtTheLimitIsForwarded() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("POST /ok HTTP/1.1\nHost: app\nContent-Length: 1000\n\n" + "y".repeat(1000));
            assertEquals(200, r.status());
            assertEquals(1000, r.body().length);
        }
    }

    @Test
    void connectGets405() throws Exception {
        refused("CONNECT internal.example:443 HTTP/1.1\nHost: internal.example:443\n\n", 405);
    }

    @Test
    void obsoleteLineFoldingGets400AndNeverReachesTheUpstream() throws Exception {
        // RFC 9112 §5.2: Netty would unfold it and forward "a b".
        RawHttp.Response r = refused("GET /folded HTTP/1.1\nHost: app\nX-Folded: a\n b\n\n", 400);
        assertEquals("obsolete line folding in request header\n", r.text());
        assertEquals(0, origin.hits("/folded"));
    }

    @Test
    void lineFoldedWithATabGets400() throws Exception {
        RawHttp.Response r = refused("POST /folded HTTP/1.1\nHost: app\nX-Folded: a\n\tb\nContent-Length: 3\n\nabc", 400);
        assertEquals("obsolete line folding in request header\n", r.text());
        assertEquals(0, origin.hits("/folded"));
    }

    @Test
    void whitespaceBeforeTheFirstHeaderGets400() throws Exception {
        // RFC 9112 §2.2: such a line may be rejected or ignored; never taken for a header.
        refused("GET /folded HTTP/1.1\n X-Sneaky: 1\nHost: app\n\n", 400);
        assertEquals(0, origin.hits("/folded"));
    }

    @Test
    void aFoldedRequestPipelinedBehindAGoodOneIsRefusedAfterTheGoodOneIsAnswered() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.send("GET /good HTTP/1.1\nHost: app\n\nGET /folded HTTP/1.1\nHost: app\nX-Folded: a\n b\n\n");
            assertEquals(200, client.read().status());
            RawHttp.Response r = client.read();
            assertEquals(400, r.status(), r.text());
            assertEquals("obsolete line folding in request header\n", r.text());
            assertTrue(client.closedByPeer(), "the connection is closed after a refused request");
        }
        assertEquals(1, origin.hits("/good"));
        assertEquals(0, origin.hits("/folded"));
    }

    @Test
    void foldLikeBytesInABodyAreForwardedAndTheNextRequestIsServed() throws Exception {
        String body = "a\r\n b\r\n\tc\r\n\r\n";
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("POST /body HTTP/1.1\r\nHost: app\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body + "GET /after HTTP/1.1\r\nHost: app\r\n\r\n");
            assertEquals(200, r.status(), r.text());
            assertEquals(body, r.text());
            assertEquals(200, client.read().status());
        }
        assertEquals(1, origin.hits("/after"));
    }
}
