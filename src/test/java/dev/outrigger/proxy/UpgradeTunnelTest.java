package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 9110 §7.8: upgrades belong to the application, so the proxy tunnels them once the upstream agrees. */
class UpgradeTunnelTest {

    static OriginServer origin;
    static TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void webSocketMessagesEchoThroughTheProxy() throws Exception {
        // The JDK's client: Vert.x's own WebSocket client is switched off in a JVM where Quarkus ran.
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("hello through the sidecar", true);

        assertEquals("hello through the sidecar", echoed.get(10, TimeUnit.SECONDS));
        assertEquals(1, origin.hits("/chat"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    @Test
    void anyUpgradedProtocolIsSplicedByteForByte() throws Exception {
        origin.on("/raw", req -> {
            req.response().putHeader("Upgrade", "echo/1").putHeader("Connection", "Upgrade");
            req.toNetSocket().onSuccess(sock -> sock.handler(sock::write));
        });
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response switched = client.exchange("GET /raw HTTP/1.1\nHost: app\nConnection: Upgrade\nUpgrade: echo/1\n\n");
            client.send("ping-pong".getBytes(StandardCharsets.US_ASCII));

            assertEquals(101, switched.status());
            assertEquals("echo/1", switched.header("Upgrade"));
            byte[] echoed = new byte[9];
            assertEquals(9, readFully(client, echoed));
            assertEquals("ping-pong", new String(echoed, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void upgradeDeclinedByTheUpstreamIsAnOrdinaryResponse() throws Exception {
        origin.respond("/no-upgrade", Response.status(426).body("use something else"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /no-upgrade HTTP/1.1\nHost: app\nConnection: Upgrade\nUpgrade: echo/1\n\n");

            assertEquals(426, r.status());
            assertEquals("use something else", r.text());
        }
    }

    private static int readFully(RawHttp client, byte[] into) throws Exception {
        var in = client.socketInput();
        int n = 0;
        while (n < into.length) {
            int r = in.read(into, n, into.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }
}
