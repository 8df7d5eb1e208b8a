package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.RawHttp;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What reaches the upstream and what comes back, byte for byte, through one proxy in front of a real origin. */
class ForwardingTest {

    static OriginServer origin;
    static MutableClock clock;
    static dev.outrigger.testsupport.TestProxy proxy;

    @BeforeAll
    static void start() {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.now());
        proxy = dev.outrigger.testsupport.TestProxy.start(origin.url(), s -> s, clock);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @BeforeEach
    void resetOrigin() {
        origin.reset();
        clock.set(Instant.now());
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND")) {
            for (int status : List.of(200, 201, 404, 503)) {
                for (String body : List.of("none", "fixed", "chunked")) {
                    cases.add(Arguments.of(method, status, body));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with a {2} body answered {1}")
    @MethodSource("matrix")
    void methodStatusAndBodyPassThroughUnchanged(String method, int status, String bodyKind) throws Exception {
        String responseBody = bodyKind.equals("none") ? "" : "response to " + method;
        Response script = Response.status(status).body(responseBody);
        origin.respond("/m", bodyKind.equals("chunked") ? script.chunked() : script);
        String request = switch (bodyKind) {
            case "none" -> method + " /m?x=1 HTTP/1.1\nHost: app\n\n";
            case "fixed" -> method + " /m?x=1 HTTP/1.1\nHost: app\nContent-Length: 7\n\npayload";
            default -> method + " /m?x=1 HTTP/1.1\nHost: app\nTransfer-Encoding: chunked\n\n3\npay\n4\nload\n0\n\n";
        };
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange(request);

            assertEquals(status, r.status());
            assertEquals(responseBody, r.text());
            assertEquals(bodyKind.equals("chunked"), r.chunked(), "response framing kept");
            OriginServer.Received got = origin.last("/m");
            assertEquals(method, got.method());
            assertEquals("/m?x=1", got.uri());
            assertEquals(bodyKind.equals("none") ? "" : "payload", got.body().toString());
        }
    }

    @Test
    void headResponseKeepsTheUpstreamContentLengthAndSendsNoBody() throws Exception {
        origin.on("/h", req -> req.response().putHeader("Content-Length", "1234").end());
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response head = client.exchange("HEAD /h HTTP/1.1\nHost: app\n\n");
            RawHttp.Response next = client.exchange("GET /after HTTP/1.1\nHost: app\n\n");

            assertEquals(200, head.status());
            assertEquals("1234", head.header("Content-Length"));
            assertEquals(200, next.status(), "no stray body bytes before the next response");
        }
    }

    @Test
    void noContentResponseCarriesNoBody() throws Exception {
        origin.respond("/nc", Response.status(204).header("X-Kept", "yes"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("DELETE /nc HTTP/1.1\nHost: app\n\n");
            RawHttp.Response next = client.exchange("GET /after HTTP/1.1\nHost: app\n\n");

            assertEquals(204, r.status());
            assertEquals("yes", r.header("X-Kept"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals(200, next.status());
        }
    }

    @Test
    void notModifiedPassesThroughWithItsValidators() throws Exception {
        origin.respond("/nm", Response.status(304).header("ETag", "\"v1\""));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /nm HTTP/1.1\nHost: app\nIf-None-Match: \"v1\"\n\n");
            RawHttp.Response next = client.exchange("GET /after HTTP/1.1\nHost: app\n\n");

            assertEquals(304, r.status());
            assertEquals("\"v1\"", r.header("ETag"));
            assertEquals("\"v1\"", origin.last("/nm").header("If-None-Match"), "conditional headers reach the upstream");
            assertEquals(200, next.status());
        }
    }

    @Test
    void hopByHopRequestHeadersAreNotForwarded() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("GET /hop HTTP/1.1\nHost: app\nConnection: keep-alive, X-Conn-Only\nX-Conn-Only: 1\n"
                    + "Keep-Alive: timeout=5\nProxy-Authorization: Basic Zm9vOmJhcg==\nProxy: http://evil\n"
                    + "TE: gzip\nUpgrade: foo\nX-End-To-End: kept\n\n");
        }
        MultiMap seen = origin.last("/hop").headers();

        for (String name : List.of("X-Conn-Only", "Keep-Alive", "Proxy-Authorization", "Proxy", "TE", "Upgrade")) {
            assertFalse(seen.contains(name), name + " must not be forwarded");
        }
        assertFalse(String.valueOf(seen.get("Connection")).contains("X-Conn-Only"));
        assertEquals("kept", seen.get("X-End-To-End"));
    }

    @Test
    void hopByHopResponseHeadersAreNotForwarded() throws Exception {
        origin.respond("/hop-resp", Response.ok("x").header("Connection", "X-Resp-Only").header("X-Resp-Only", "1")
                .header("Keep-Alive", "timeout=5").header("Proxy-Authenticate", "Basic").header("X-End-To-End", "kept"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /hop-resp HTTP/1.1\nHost: app\n\n");

            assertNull(r.header("X-Resp-Only"));
            assertNull(r.header("Keep-Alive"));
            assertNull(r.header("Proxy-Authenticate"));
            assertEquals("kept", r.header("X-End-To-End"));
        }
    }

    @Test
    void teTrailersIsForwardedForTrailerAwareUpstreams() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("POST /grpc HTTP/1.1\nHost: app\nTE: trailers\nContent-Length: 0\n\n");
        }
        assertEquals("trailers", origin.last("/grpc").header("TE"));
    }

    @Test
    void forwardingHeadersDescribeTheClientAndThisHop() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("GET /fwd HTTP/1.1\nHost: shop.example:8443\nVia: 1.1 edge\n\n");
        }
        OriginServer.Received seen = origin.last("/fwd");

        assertEquals("shop.example:8443", seen.header("Host"), "the client's Host is kept");
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("shop.example:8443", seen.header("X-Forwarded-Host"));
        assertEquals("1.1 edge, 1.1 outrigger", seen.header("Via"));
    }

    @Test
    void untrustedForwardedHeadersAreOverwritten() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("GET /fwd HTTP/1.1\nHost: app\nX-Forwarded-For: 6.6.6.6\n"
                    + "X-Forwarded-Proto: https\nX-Forwarded-Host: evil.example\n\n");
        }
        OriginServer.Received seen = origin.last("/fwd");

        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("app", seen.header("X-Forwarded-Host"));
    }

    @Test
    void trustedForwardedHeadersAreExtendedAndKept() throws Exception {
        try (var trusting = dev.outrigger.testsupport.TestProxy.start(origin, s -> s.withForwarding(true, true));
             RawHttp client = RawHttp.connect(trusting.port())) {
            client.exchange("GET /fwd HTTP/1.1\nHost: app\nX-Forwarded-For: 203.0.113.9\n"
                    + "X-Forwarded-Proto: https\nX-Forwarded-Host: shop.example\n\n");
        }
        OriginServer.Received seen = origin.last("/fwd");

        assertEquals("203.0.113.9, 127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("shop.example", seen.header("X-Forwarded-Host"));
    }

    @Test
    void upstreamAuthorityReplacesHostWhenHostIsNotPreserved() throws Exception {
        try (var rewriting = dev.outrigger.testsupport.TestProxy.start(origin, s -> s.withForwarding(false, false));
             RawHttp client = RawHttp.connect(rewriting.port())) {
            client.exchange("GET /host HTTP/1.1\nHost: shop.example\n\n");
        }
        assertEquals("127.0.0.1:" + origin.port(), origin.last("/host").header("Host"));
        assertEquals("shop.example", origin.last("/host").header("X-Forwarded-Host"));
    }

    @Test
    void viaIsAppendedToTheResponse() throws Exception {
        origin.respond("/via", Response.ok("x").header("Via", "1.1 app"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            assertEquals("1.1 app, 1.1 outrigger", client.exchange("GET /via HTTP/1.1\nHost: app\n\n").header("Via"));
        }
    }

    @Test
    void missingDateIsAddedFromTheClock() throws Exception {
        clock.set(Instant.parse("2026-03-01T12:34:56Z"));
        origin.respond("/nodate", Response.ok("x"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            assertEquals("Sun, 01 Mar 2026 12:34:56 GMT", client.exchange("GET /nodate HTTP/1.1\nHost: app\n\n").header("Date"));
        }
    }

    @Test
    void upstreamDateIsKept() throws Exception {
        origin.respond("/date", Response.ok("x").header("Date", "Tue, 15 Nov 1994 08:12:31 GMT"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            assertEquals("Tue, 15 Nov 1994 08:12:31 GMT", client.exchange("GET /date HTTP/1.1\nHost: app\n\n").header("Date"));
        }
    }

    @Test
    void earlyHintsAreRelayedBeforeTheFinalResponse() throws Exception {
        origin.on("/hints", req -> req.response()
                .writeEarlyHints(MultiMap.caseInsensitiveMultiMap().add("Link", "</app.css>; rel=preload"))
                .onComplete(v -> req.response().end("final")));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.send("GET /hints HTTP/1.1\nHost: app\n\n");
            RawHttp.Response hints = client.read();
            RawHttp.Response last = client.read();

            assertEquals(103, hints.status());
            assertEquals("</app.css>; rel=preload", hints.header("Link"));
            assertEquals(200, last.status());
            assertEquals("final", last.text());
        }
    }

    @Test
    void expectContinueIsAnsweredByTheUpstream() throws Exception {
        origin.on("/upload", req -> {
            req.response().writeContinue();
            req.body().onSuccess(body -> req.response().end("got " + body));
        });
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.send("PUT /upload HTTP/1.1\nHost: app\nExpect: 100-continue\nContent-Length: 5\n\n");
            RawHttp.Response interim = client.read();
            client.send("hello");
            RawHttp.Response last = client.read();

            assertEquals(100, interim.status());
            assertEquals("got hello", last.text());
        }
    }

    @Test
    void chunkedBodyAndTrailersPassThrough() throws Exception {
        origin.respond("/trailers", Response.ok("streamed body").trailer("X-Checksum", "abc123"));
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /trailers HTTP/1.1\nHost: app\nTE: trailers\n\n");

            assertTrue(r.chunked());
            assertEquals("streamed body", r.text());
            assertEquals("abc123", r.trailer("X-Checksum"));
        }
    }

    @Test
    void absoluteFormTargetIsForwardedInOriginForm() throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("GET http://app.example/abs/path?q=1 HTTP/1.1\nHost: app.example\n\n");
        }
        assertEquals("/abs/path?q=1", origin.last("/abs/path").uri());
    }

    @Test
    void http10ClientGetsAnUnframedBodyEndedByClose() throws Exception {
        origin.respond("/old", Response.ok("for an old client").chunked());
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            RawHttp.Response r = client.exchange("GET /old HTTP/1.0\nHost: app\n\n");

            assertEquals("for an old client", r.text());
            assertNull(r.header("Transfer-Encoding"), "HTTP/1.0 has no chunked coding");
        }
    }

    @Test
    void unsafeMethodsAreCountedAsBypass() throws Exception {
        double before = proxy.requests("bypass");
        try (RawHttp client = RawHttp.connect(proxy.port())) {
            client.exchange("POST /count HTTP/1.1\nHost: app\nContent-Length: 0\n\n");
            client.exchange("DELETE /count HTTP/1.1\nHost: app\n\n");
        }
        assertEquals(before + 2, proxy.requests("bypass"));
        assertNotNull(origin.last("/count"));
    }
}
