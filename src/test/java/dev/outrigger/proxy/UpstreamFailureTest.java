package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An upstream that refuses, drops, stalls or breaks off: the client gets a clear status, never a hang. */
class UpstreamFailureTest {

    static OriginServer origin;
    static TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s.withTimeouts(Duration.ofMillis(500), Duration.ofMillis(400)));
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
    void refusedConnectionGets502WithAReason() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (TestProxy nowhere = TestProxy.start("http://127.0.0.1:" + closedPort, s -> s, Clock.systemUTC());
             RawHttp client = RawHttp.connect(nowhere.port())) {
            RawHttp.Response r = client.exchange("GET / HTTP/1.1\nHost: app\n\n");

            assertEquals(502, r.status());
            assertEquals("upstream refused the connection\n", r.text());
            assertEquals(1, nowhere.requests("error"));
        }
    }

    @Test
    void upstreamClosingWithoutAnswerGets502() throws Exception {
        origin.respond("/drop", Response.drop());
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /drop HTTP/1.1\nHost: app\n\n");

            assertEquals(502, r.status());
            assertEquals("upstream closed the connection\n", r.text());
        }
    }

    @Test
    void clientConnectionKeepsServingAfterAnUpstreamFailure() throws Exception {
        origin.respond("/drop", Response.drop());
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            assertEquals(502, client.exchange("GET /drop HTTP/1.1\nHost: app\n\n").status());
            assertEquals(200, client.exchange("GET /fine HTTP/1.1\nHost: app\n\n").status());
        }
    }

    @Test
    void upstreamSilentPastTheResponseTimeoutGets504() throws Exception {
        origin.respond("/slow", Response.ok("late").delay(Duration.ofSeconds(3)));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /slow HTTP/1.1\nHost: app\n\n");

            assertEquals(504, r.status());
            assertEquals("upstream timed out\n", r.text());
        }
    }

    @Test
    void upstreamNotAcceptingConnectionsPastTheConnectTimeoutGets504() throws Exception {
        // A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.
        try (ServerSocket full = new ServerSocket()) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException queueFull) {
                        s.close();
                        break;
                    }
                }
                try (TestProxy stuck = TestProxy.start("http://127.0.0.1:" + full.getLocalPort(),
                        s -> s.withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)), Clock.systemUTC());
                     RawHttp client = RawHttp.connect(stuck.port())) {
                    RawHttp.Response r = client.exchange("GET / HTTP/1.1\nHost: app\n\n");

                    assertEquals(504, r.status());
                    assertEquals("upstream connect timed out\n", r.text());
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void fullConnectionPoolAndWaitQueueGets503() throws Exception {
        origin.on("/hold", req -> { }); // holds the only pooled connection
        try (TestProxy tiny = TestProxy.start(origin, s -> s.withPool(1, 0));
             RawHttp holder = RawHttp.connect(tiny.port());
             RawHttp client = RawHttp.connect(tiny.port())) {
            holder.send("GET /hold HTTP/1.1\nHost: app\n\n");
            Await.until(() -> origin.hits("/hold") == 1, "the first request holds the connection");
            RawHttp.Response r = client.exchange("GET /next HTTP/1.1\nHost: app\n\n");

            assertEquals(503, r.status());
            assertEquals("upstream connection pool exhausted\n", r.text());
        }
    }

    @Test
    void upstreamBreakingOffMidBodyIsNeverPresentedAsComplete() throws Exception {
        origin.respond("/half", Response.ok("0123456789".repeat(100)).dropMidBody());
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            IOException e = assertThrows(IOException.class, () -> client.exchange("GET /half HTTP/1.1\nHost: app\n\n"));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void clientLeavingCancelsTheUpstreamRequest() throws Exception {
        origin.on("/hold", req -> { }); // never answers
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.send("GET /hold HTTP/1.1\nHost: app\n\n");
            Await.until(() -> origin.hits("/hold") == 1, "the request reached the origin");
        }
        Await.until(() -> origin.aborted() == 1, "the origin saw its exchange abandoned");
    }
}
