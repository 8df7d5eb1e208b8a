package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests whose framing two parsers could read differently (RFC 9112 §3.2), tried with raw sockets: each
 * is refused with a one-line reason, or forwarded and keyed under one reading, never two.
 */
class RequestFramingTest {

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

    @BeforeEach
    void reset() {
        origin.reset();
    }

    static RawHttp.Response send(String request) throws Exception {
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            return c.exchange(request);
        }
    }

    @Test
    void twoHostHeadersAreRefusedAndNothingIsCached() throws Exception {
        origin.respond("/home", Response.ok("home of shop").header("Cache-Control", "max-age=60"));

        RawHttp.Response r = send("GET /home HTTP/1.1\nHost: shop.test\nHost: evil.test\n\n");

        assertEquals(400, r.status());
        assertEquals("more than one Host header\n", r.text());
        assertEquals(0, origin.hits("/home"));
        RawHttp.Response plain = send("GET /home HTTP/1.1\nHost: shop.test\n\n");
        assertEquals("MISS", plain.header("X-Cache"), "the refused request stored nothing");
    }

    @Test
    void anHttp11RequestWithoutHostIsRefused() throws Exception {
        RawHttp.Response r = send("GET /home HTTP/1.1\n\n");

        assertEquals(400, r.status());
        assertEquals("missing Host header\n", r.text());
        assertEquals(0, origin.hits("/home"));
    }

    @Test
    void anHttp10RequestWithoutHostIsForwarded() throws Exception {
        RawHttp.Response r = send("GET /old HTTP/1.0\n\n");

        assertEquals(200, r.status());
        assertEquals(1, origin.hits("/old"));
    }

    @Test
    void aHostThatIsNotAnAuthorityIsRefused() throws Exception {
        for (String host : new String[] {"shop.test/evil", "user@shop.test", "shop test", "{tag}.test", "shop.test:99999", ""}) {
            RawHttp.Response r = send("GET /home HTTP/1.1\nHost: " + host + "\n\n");
            assertEquals(400, r.status(), host);
            assertEquals("invalid Host header\n", r.text(), host);
        }
        assertEquals(0, origin.hits("/home"));
    }

    @Test
    void anAbsoluteFormTargetWinsOverHostAndIsWhatIsKeyed() throws Exception {
        origin.respond("/page", Response.ok("page").header("Cache-Control", "max-age=60"));

        RawHttp.Response first = send("GET http://other.test/page HTTP/1.1\nHost: shop.test\n\n");
        assertEquals("MISS", first.header("X-Cache"));
        assertEquals("other.test", origin.last("/page").header("Host"), "RFC 9112 §3.2.2: the target's authority");
        assertEquals("/page", origin.last("/page").uri());

        assertEquals("MISS", send("GET /page HTTP/1.1\nHost: shop.test\n\n").header("X-Cache"),
                "shop.test's /page is another key");
        assertEquals("HIT", send("GET /page HTTP/1.1\nHost: other.test\n\n").header("X-Cache"),
                "other.test's /page is the one stored");
        assertEquals(2, origin.hits("/page"));
    }

    @Test
    void hostCaseAndDefaultPortShareOneKey() throws Exception {
        origin.respond("/p", Response.ok("p").header("Cache-Control", "max-age=60"));

        assertEquals("MISS", send("GET /p HTTP/1.1\nHost: Shop.Test:80\n\n").header("X-Cache"));
        assertEquals("shop.test", origin.last("/p").header("Host"), "forwarded as keyed");
        assertEquals("HIT", send("GET /p HTTP/1.1\nHost: shop.test\n\n").header("X-Cache"));
        assertEquals("MISS", send("GET /p HTTP/1.1\nHost: shop.test:8080\n\n").header("X-Cache"));
    }

    @Test
    void obsFoldIsRefused() throws Exception {
        RawHttp.Response r = send("GET /fold HTTP/1.1\nHost: shop.test\nX-Note: one\n two\n\n");

        assertEquals(400, r.status());
        assertEquals(0, origin.hits("/fold"));
    }

    @Test
    void traceIsRefusedUnlessEnabled() throws Exception {
        RawHttp.Response r = send("TRACE /echo HTTP/1.1\nHost: shop.test\nCookie: sid=alice\n\n");

        assertEquals(405, r.status());
        assertEquals("TRACE is disabled\n", r.text());
        assertEquals(0, origin.hits("/echo"));
        try (TestProxy tracing = TestProxy.start(origin, s -> s.withMethods(true, false));
             RawHttp c = RawHttp.connect(tracing.port())) {
            assertEquals(200, c.exchange("TRACE /echo HTTP/1.1\nHost: shop.test\n\n").status());
            assertEquals(1, origin.hits("/echo"));
        }
    }

    @Test
    void connectIsRefused() throws Exception {
        assertEquals(405, send("CONNECT shop.test:443 HTTP/1.1\nHost: shop.test:443\n\n").status());
    }

    @Test
    void aGetWithABodyBypassesTheCache() throws Exception {
        origin.respond("/search", Response.ok("results").header("Cache-Control", "max-age=60"));

        RawHttp.Response withBody = send("GET /search HTTP/1.1\nHost: shop.test\nContent-Length: 9\n\n{\"q\":\"x\"}");
        assertEquals("BYPASS", withBody.header("X-Cache"));
        RawHttp.Response plain = send("GET /search HTTP/1.1\nHost: shop.test\n\n");
        assertEquals("MISS", plain.header("X-Cache"), "the GET with a body stored nothing");
        assertEquals("HIT", send("GET /search HTTP/1.1\nHost: shop.test\n\n").header("X-Cache"));
        assertEquals(2, origin.hits("/search"));
    }

    @Test
    void aConnectionHeaderNamingHostIsRefused() throws Exception {
        RawHttp.Response r = send("GET /home HTTP/1.1\nHost: shop.test\nConnection: keep-alive, Host\n\n");

        assertEquals(400, r.status());
        assertEquals("Connection names Host\n", r.text());
        assertEquals(0, origin.hits("/home"));
    }

    @Test
    void anH2cUpgradeIsServedAsTheHttp11RequestItAlsoIs() throws Exception {
        origin.on("/h2c", req -> {
            origin.record(req, null);
            req.response().end("plain http/1.1");
        });

        RawHttp.Response r = send("GET /h2c HTTP/1.1\nHost: shop.test\nConnection: Upgrade, HTTP2-Settings\n"
                + "Upgrade: h2c\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\n\n");

        assertEquals(200, r.status(), "not tunnelled: the rest of the connection stays under the proxy's rules");
        assertEquals("plain http/1.1", r.text());
        assertNull(origin.last("/h2c").header("Upgrade"));
        assertNull(origin.last("/h2c").header("HTTP2-Settings"));
    }

    @Test
    void preconditionsTheOriginMustEvaluateBypassTheCache() throws Exception {
        origin.respond("/doc", Response.ok("doc").header("Cache-Control", "max-age=60").header("ETag", "\"d\""));
        send("GET /doc HTTP/1.1\nHost: shop.test\n\n");

        RawHttp.Response ifMatch = send("GET /doc HTTP/1.1\nHost: shop.test\nIf-Match: \"other\"\n\n");
        RawHttp.Response ius = send("GET /doc HTTP/1.1\nHost: shop.test\nIf-Unmodified-Since: Sun, 01 Mar 2026 10:00:00 GMT\n\n");

        assertEquals("BYPASS", ifMatch.header("X-Cache"), "RFC 9110 §13.2.2: a 412 may be due, the origin decides");
        assertEquals("BYPASS", ius.header("X-Cache"));
        assertEquals(3, origin.hits("/doc"));
    }

    @Test
    void aBrokenPercentEscapeIsRefused() throws Exception {
        RawHttp.Response r = send("GET /a%zz HTTP/1.1\nHost: shop.test\n\n");

        assertEquals(400, r.status());
        assertEquals("invalid request target\n", r.text());
    }

    @Test
    void theRefusalNamesNoCacheOutcomeButBypass() throws Exception {
        RawHttp.Response r = send("GET /x HTTP/1.1\nHost: a.test\nHost: b.test\n\n");

        assertEquals("BYPASS", r.header("X-Cache"));
        assertEquals("close", r.header("Connection"));
        assertNull(r.header("Age"));
        assertTrue(r.header("Cache-Status").contains("fwd=bypass"));
    }
}
