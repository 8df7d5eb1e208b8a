package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod's cap on open client connections (2 here, over 2 event loops sharing one count): a connection
 * over it is refused at once, the established ones are served, and a slot freed by a close is taken again.
 */
class ConnectionCapTest {

    static OriginServer origin;
    static TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s.withEventLoops(2).withClientGuards(Duration.ofSeconds(10), 2));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    private static double open() {
        return proxy.gauge("outrigger.client.connections");
    }

    @Test
    void aConnectionOverTheCapIsRefusedWhileTheEstablishedOnesAreServed() throws Exception {
        try (RawHttp first = RawHttp.connect(proxy.port()); RawHttp second = RawHttp.connect(proxy.port())) {
            // A client's connect returns once the kernel has the connection, before the proxy took it.
            Await.until(() -> open() == 2, "both connections counted");

            try (RawHttp third = RawHttp.connect(proxy.port())) {
                RawHttp.Response refused = third.read();
                assertEquals(503, refused.status(), refused.text());
                assertEquals("too many client connections open\n", refused.text());
                assertEquals("close", refused.header("Connection"));
                assertTrue(third.closedByPeer(), "the refused connection is closed");
            }
            assertEquals(1, proxy.counter("outrigger.client.connections.refused"));
            assertEquals(2, open(), "a refused connection is never counted");

            assertEquals(200, first.exchange("GET /first HTTP/1.1\nHost: app\n\n").status());
            assertEquals(200, second.exchange("GET /second HTTP/1.1\nHost: app\n\n").status());

            first.close();
            Await.until(() -> open() == 1, "the closed connection no longer counted");
            try (RawHttp fourth = RawHttp.connect(proxy.port())) {
                assertEquals(200, fourth.exchange("GET /fourth HTTP/1.1\nHost: app\n\n").status());
            }
            assertEquals(200, second.exchange("GET /second HTTP/1.1\nHost: app\n\n").status());
        }
        Await.until(() -> open() == 0, "every connection closed");
        assertEquals(1, proxy.counter("outrigger.client.connections.refused"));
    }
}
