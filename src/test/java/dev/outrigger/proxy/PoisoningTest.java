package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cache poisoning, tried as an attacker would: a request whose unkeyed parts change the upstream's answer
 * must not be able to plant that answer under a key other clients use. The origin reflects what it was
 * sent, as real applications do when they build URLs from forwarding headers.
 */
class PoisoningTest {

    static TestRedis redis;
    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void start() throws Exception {
        redis.flush();
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        origin.on("/reflect", req -> {
            origin.record(req, null);
            String seen = "host=" + req.getHeader("Host") + " xfh=" + req.getHeader("X-Forwarded-Host")
                    + " xfp=" + req.getHeader("X-Forwarded-Proto") + " fwd=" + req.getHeader("Forwarded")
                    + " port=" + req.getHeader("X-Forwarded-Port") + " prefix=" + req.getHeader("X-Forwarded-Prefix")
                    + " orig=" + req.getHeader("X-Original-URL") + " rewrite=" + req.getHeader("X-Rewrite-URL")
                    + " override=" + req.getHeader("X-HTTP-Method-Override") + "/" + req.getHeader("X-HTTP-Method")
                    + "/" + req.getHeader("X-Method-Override") + " scheme=" + req.getHeader("X-Scheme")
                    + "/" + req.getHeader("Front-End-Https") + "/" + req.getHeader("X-Original-URI");
            req.response().putHeader("Cache-Control", "max-age=60").end(seen);
        });
        proxy = start(new CacheSettings(8L << 20, dev.outrigger.policy.CachePolicy.Settings.DEFAULT, false), false);
    }

    TestProxy start(CacheSettings cache, boolean trust) {
        FailOpenStore store = new FailOpenStore(new RedisStore(redis.client(), "orc:v1:"), Duration.ofMillis(500),
                Duration.ofMillis(500), 2, Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
        return TestProxy.start(origin, clock, TieredResponses.over(store, 0, Duration.ZERO, clock), cache, s -> s.withForwarding(trust, true));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }


    void awaitStored(String fragment) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (keys(fragment).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(fragment + " never reached Redis");
            }
            Thread.sleep(5);
        }
    }

    static List<?> keys(String fragment) throws Exception {
        return (List<?>) Resp.once(redis.server().port(), "KEYS", "orc:v1:*" + fragment + "*");
    }

    @Test
    void unkeyedForwardingAndRewriteHeadersNeverReachTheApplication() throws Exception {
        RawHttp.Response poisoned = proxy.get("/reflect",
                "X-Forwarded-Host: evil.test", "X-Forwarded-Proto: https", "Forwarded: host=evil.test;proto=https",
                "X-Forwarded-Port: 4443", "X-Forwarded-Prefix: /evil", "X-Original-URL: /admin", "X-Rewrite-URL: /admin",
                "X-HTTP-Method-Override: DELETE", "X-HTTP-Method: DELETE", "X-Method-Override: DELETE",
                "X-Scheme: https", "Front-End-Https: on", "X-Original-URI: /admin");

        String seen = poisoned.text();
        assertTrue(seen.contains("xfh=shop.test "), seen);
        assertTrue(seen.contains("xfp=http "), seen);
        assertTrue(seen.contains("fwd=for=127.0.0.1;host=shop.test;proto=http "), seen);
        assertTrue(seen.contains("port=null prefix=null orig=null rewrite=null override=null/null/null"), seen);
        assertTrue(seen.endsWith("scheme=null/null/null"), seen);
        awaitStored("/reflect");
        RawHttp.Response victim = proxy.get("/reflect");
        assertEquals("HIT", victim.header("X-Cache"));
        assertFalse(victim.text().contains("evil"), victim.text());
    }

    @Test
    void underscoreSpellingsOfThoseHeadersNeverReachTheApplicationEitherTrustedOrNot() throws Exception {
        // a CGI-style server reads X_Forwarded_Host as X-Forwarded-Host (HTTP_X_FORWARDED_HOST)
        origin.on("/cgi", req -> req.response().putHeader("Cache-Control", "max-age=60")
                .end("underscored=" + req.headers().names().stream().filter(n -> n.indexOf('_') >= 0).sorted().toList()));
        String[] spellings = {"X_Forwarded_Host: evil.test", "x_forwarded_proto: https", "X_Original_URL: /admin",
            "X_HTTP_Method_Override: DELETE", "True_Client_IP: 6.6.6.6", "Front_End_Https: on", "X_Trace_Id: kept"};

        assertEquals("underscored=[X_Trace_Id]", proxy.get("/cgi", spellings).text(), "only a header that means nothing to the cache");
        try (TestProxy trusting = start(CacheSettings.DEFAULT, true)) {
            assertEquals("underscored=[X_Trace_Id]", trusting.get("/cgi?trusted", spellings).text(),
                    "an ingress sets the '-' spellings: trust does not extend to these");
        }
    }

    @Test
    void trustedForwardingHeadersArePartOfTheKey() throws Exception {
        try (TestProxy trusting = start(CacheSettings.DEFAULT, true)) {
            RawHttp.Response viaEvil = trusting.get("/reflect", "X-Forwarded-Host: evil.test");
            assertTrue(viaEvil.text().contains("xfh=evil.test"), "trusted: kept for the application");
            awaitStored("/reflect");

            RawHttp.Response plain = trusting.get("/reflect");
            assertEquals("MISS", plain.header("X-Cache"), "another X-Forwarded-Host is another key");
            assertFalse(plain.text().contains("evil"), plain.text());
            RawHttp.Response again = trusting.get("/reflect", "X-Forwarded-Host: evil.test");
            assertEquals("HIT", again.header("X-Cache"));
            RawHttp.Response otherProto = trusting.get("/reflect", "Forwarded: for=1.2.3.4;host=shop.test;proto=https");
            assertEquals("MISS", otherProto.header("X-Cache"), "Forwarded's host and proto are keyed");
            awaitStored("proto=https");
            assertEquals("HIT", trusting.get("/reflect", "Forwarded: for=9.9.9.9;host=shop.test;proto=https")
                    .header("X-Cache"), "the client address is not keyed");
        }
        assertEquals(3, origin.hits("/reflect"));
    }

    @Test
    void methodOverrideHeadersAreForwardedOnlyWhenAllowedAndThenNotCached() throws Exception {
        try (TestProxy allowing = TestProxy.start(origin, s -> s.withMethods(false, true))) {
            RawHttp.Response r = allowing.get("/reflect", "X-HTTP-Method-Override: DELETE");
            assertTrue(r.text().contains("override=DELETE"), r.text());
            assertEquals("BYPASS", r.header("X-Cache"));
            assertEquals("MISS", allowing.get("/reflect").header("X-Cache"), "the override's answer was not stored");
        }
    }

    @Test
    void aHeaderTheConnectionHeaderNamesIsNeitherForwardedNorKeyed() throws Exception {
        origin.on("/flavour", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Flavour")
                .end("flavour=" + req.getHeader("X-Flavour")));

        RawHttp.Response hidden = proxy.get("/flavour", "X-Flavour: mint", "Connection: X-Flavour");
        assertEquals("flavour=null", hidden.text(), "RFC 9110 §7.6.1: not forwarded");
        awaitStored("/flavour");

        RawHttp.Response mint = proxy.get("/flavour", "X-Flavour: mint");
        assertEquals("MISS", mint.header("X-Cache"), "the answer without X-Flavour was not filed under mint");
        assertEquals("flavour=mint", mint.text());
        assertEquals("HIT", proxy.await("HIT", "/flavour").header("X-Cache"), "but under no X-Flavour at all");
    }

    @Test
    void equivalentTargetsShareOneKeyAndTheNormalisedTargetIsForwarded() throws Exception {
        origin.respond("/shop/item", Response.ok("item").header("Cache-Control", "max-age=60"));

        RawHttp.Response first = proxy.get("/shop/%2e%2e/shop/./%69tem");
        assertEquals("MISS", first.header("X-Cache"));
        assertEquals("/shop/item", origin.last("/shop/item").uri(), "forwarded as keyed");
        awaitStored("/shop/item");
        assertEquals("HIT", proxy.get("/shop/item").header("X-Cache"));
        assertEquals("HIT", proxy.get("/a/../shop/item").header("X-Cache"));
        assertEquals(1, origin.hits("/shop/item"));
    }

    @Test
    void reservedEscapesStayDistinct() throws Exception {
        origin.respond("/a/b", Response.ok("ab").header("Cache-Control", "max-age=60"));

        proxy.get("/a/b");
        awaitStored("/a/b");
        RawHttp.Response encodedSlash = proxy.get("/a%2fb");
        assertEquals("MISS", encodedSlash.header("X-Cache"), "%2F is not /: the application may read it otherwise");
    }

    @Test
    void bracesInTargetsNeverBecomeClusterHashTags() throws Exception {
        origin.respond("/t/{user}", Response.ok("t").header("Cache-Control", "max-age=60"));
        origin.respond("/t/%7Buser%7D", Response.ok("t").header("Cache-Control", "max-age=60"));

        proxy.get("/t/{user}");
        awaitStored("/t/");
        for (Object key : keys("/t/")) {
            assertFalse(key.toString().contains("{") || key.toString().contains("}"), key.toString());
        }
        assertEquals("HIT", proxy.get("/t/%7buser%7d").header("X-Cache"), "the escaped spelling is the same key");
    }

    @Test
    void aConfiguredKeyHostSharesEntriesWhateverHostAClientUsed() throws Exception {
        origin.on("/shared", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60").end("shared");
        });
        try (TestProxy byService = start(CacheSettings.DEFAULT.withKeyHost("shop.svc"), false)) {
            try (RawHttp c = RawHttp.connect(byService.port())) {
                assertEquals("MISS", c.exchange("GET /shared HTTP/1.1\nHost: evil.test\n\n").header("X-Cache"));
            }
            assertEquals("shop.svc", origin.last("/shared").header("Host"), "what is keyed is what is forwarded");
            assertEquals("shop.svc", origin.last("/shared").header("X-Forwarded-Host"));
            awaitStored("shop.svc/shared");
            try (RawHttp c = RawHttp.connect(byService.port())) {
                assertEquals("HIT", c.exchange("GET /shared HTTP/1.1\nHost: shop.svc\n\n").header("X-Cache"));
            }
            try (RawHttp c = RawHttp.connect(byService.port())) {
                assertEquals("HIT", c.exchange("GET /shared HTTP/1.1\nHost: localhost:8480\n\n").header("X-Cache"));
            }
        }
        assertEquals(1, origin.hits("/shared"));
    }
}
