package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow clients against the request-head deadline (1 s here): a head that takes too long is answered 408
 * and its connection closed, while idle keep-alive connections and slow bodies are left alone. No timing
 * is asserted; where a test needs the deadline to have passed, it lets the proxy measure it on another
 * connection (a stalled head is answered 408 no sooner than the deadline after its first byte).
 */
class SlowClientTest {

    static OriginServer origin;
    static TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s.withClientGuards(Duration.ofSeconds(1), 10_000));
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

    @Test
    void aHeadTrickledByteByByteGets408WhileAnotherConnectionIsServed() throws Exception {
        double errors = proxy.requests("error");
        try (RawHttp slow = RawHttp.connect(proxy.port())) {
            slow.send("GET /slow HTTP/1.1\nHost: app\nX-Pad: ");
            // Slowloris: a byte every 100 ms keeps the connection from ever being idle.
            Thread trickler = Thread.ofVirtual().start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        slow.send(new byte[] {'a'});
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the proxy, or told to stop
                }
            });
            try (RawHttp other = RawHttp.connect(proxy.port())) {
                assertEquals(200, other.exchange("GET /other HTTP/1.1\nHost: app\n\n").status());
            }
            RawHttp.Response r = slow.read();
            trickler.interrupt();
            trickler.join();
            assertTimedOut(r);
            assertTrue(slow.closedByPeer(), "the connection is closed after the 408");
        }
        assertEquals(0, origin.hits("/slow"));
        assertEquals(1, origin.hits("/other"));
        assertEquals(errors + 1, proxy.requests("error"));
    }

    @Test
    void aKeepAliveConnectionIdleLongerThanTheHeadDeadlineStillServesItsNextRequest() throws Exception {
        try (RawHttp kept = RawHttp.connect(proxy.port())) {
            assertEquals(200, kept.exchange("GET /first HTTP/1.1\nHost: app\n\n").status());
            oneHeadDeadlinePasses();
            assertEquals(200, kept.exchange("GET /second HTTP/1.1\nHost: app\n\n").status());
        }
        assertEquals(1, origin.hits("/second"));
    }

    @Test
    void anEmptyLineAfterARequestDoesNotStartAHeadDeadline() throws Exception {
        try (RawHttp kept = RawHttp.connect(proxy.port())) {
            // RFC 9112 §2.2: some clients send a CRLF after a body; it is ignored, not the start of a head
            kept.send("POST /posted HTTP/1.1\nHost: app\nContent-Length: 2\n\nok\n");
            assertEquals(200, kept.read().status());
            oneHeadDeadlinePasses();
            assertEquals(200, kept.exchange("GET /after HTTP/1.1\nHost: app\n\n").status());
        }
        assertEquals(1, origin.hits("/after"));
    }

    @Test
    void aSlowBodyIsNotCut() throws Exception {
        try (RawHttp upload = RawHttp.connect(proxy.port())) {
            upload.send("POST /upload HTTP/1.1\nHost: app\nContent-Length: 10\n\n01234");
            oneHeadDeadlinePasses();
            upload.send("56789");
            RawHttp.Response r = upload.read();
            assertEquals(200, r.status(), r.text());
            assertEquals("0123456789", r.text());
        }
        assertEquals("0123456789", origin.last("/upload").body().toString());
    }

    @Test
    void aHeadSplitAcrossReadsWithinTheDeadlineIsServed() throws Exception {
        try (RawHttp split = RawHttp.connect(proxy.port())) {
            split.send("GET /split HTTP/1.1\nHo");
            split.send("st: app\nX-Part: two\n");
            RawHttp.Response r = split.exchange("\n");
            assertEquals(200, r.status(), r.text());
            assertEquals("two", origin.last("/split").header("X-Part"));
            // and the next request on the connection starts a deadline of its own, which it meets
            split.send("GET /split HTTP/1.1\n");
            assertEquals(200, split.exchange("Host: app\n\n").status());
        }
        assertEquals(2, origin.hits("/split"));
    }

    @Test
    void aPipelinedHeadThatStallsGets408AfterTheResponseBeforeIt() throws Exception {
        try (RawHttp pipelined = RawHttp.connect(proxy.port())) {
            // The second head starts in the same read as the first request ends.
            pipelined.send("GET /first HTTP/1.1\nHost: app\n\nGET /stalled HTTP/1.1\nHo");
            assertEquals(200, pipelined.read().status());
            assertTimedOut(pipelined.read());
            assertTrue(pipelined.closedByPeer(), "the connection is closed after the 408");
        }
        assertEquals(1, origin.hits("/first"));
        assertEquals(0, origin.hits("/stalled"));
    }

    /**
     * Returns once at least one head deadline has passed since it was called, as the proxy measures it: a
     * head that stops halfway gets its 408 no sooner than the deadline after its first byte.
     */
    private static void oneHeadDeadlinePasses() throws IOException {
        try (RawHttp stalled = RawHttp.connect(proxy.port())) {
            stalled.send("GET /stalled HTTP/1.1\nHo");
            assertTimedOut(stalled.read());
        }
    }

    private static void assertTimedOut(RawHttp.Response r) {
        assertEquals(408, r.status(), r.text());
        assertEquals("request head not received within 1s\n", r.text());
        assertEquals("close", r.header("Connection"));
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
    }
}
