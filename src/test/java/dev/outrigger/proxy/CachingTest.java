package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.RedisServer;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas (each its own L1) sharing one real Redis, in front of one real origin, on one movable clock:
 * what one stores the other serves, and nothing that must not be shared is.
 */
class CachingTest {

    static TestRedis testRedis;
    static RedisServer redis;

    OriginServer origin;
    MutableClock clock;
    FailOpenStore sharedB;
    TestProxy a;
    TestProxy b;

    @BeforeAll
    static void startRedis() throws Exception {
        testRedis = TestRedis.start();
        redis = testRedis.server();
    }

    @AfterAll
    static void stopRedis() {
        testRedis.close();
    }

    @BeforeEach
    void start() throws Exception {
        testRedis.flush();
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        sharedB = shared();
        a = TestProxy.start(origin, clock, tiered(shared()), CacheSettings.DEFAULT);
        b = TestProxy.start(origin, clock, tiered(sharedB), CacheSettings.DEFAULT);
    }

    FailOpenStore shared() {
        return new FailOpenStore(new RedisStore(testRedis.client(), "orc:v1:"), Duration.ofMillis(500), Duration.ofMillis(500), 2,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
    }

    TieredResponses tiered(FailOpenStore l2) {
        return TieredResponses.over(l2, 16L << 20, Duration.ofSeconds(1), clock);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        origin.close();
        if (!redis.running()) {
            redis.restart();
        }
    }

    static RawHttp.Response get(TestProxy proxy, String target, String... headers) throws Exception {
        StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\nHost: shop.example\n");
        for (String h : headers) {
            req.append(h).append('\n');
        }
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            return c.exchange(req.append('\n').toString());
        }
    }

    static void assertHit(RawHttp.Response r) {
        assertEquals("HIT", r.header("X-Cache"), () -> "expected a hit: " + r.headers());
    }

    static void assertMiss(RawHttp.Response r) {
        assertEquals("MISS", r.header("X-Cache"), () -> "expected a miss: " + r.headers());
    }

    /** Waits, bounded, for what the other replica writes after its client has the response. */
    void awaitStored(String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (((java.util.List<?>) Resp.once(redis.port(), "KEYS", "orc:v1:*" + path + "*")).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " never reached Redis");
            }
            Thread.sleep(5);
        }
    }

    /** The remaining Redis TTL of the one key whose name contains {@code path}, in ms. */
    long pttl(String path) {
        try {
            var keys = (java.util.List<?>) Resp.once(redis.port(), "KEYS", "orc:v1:*" + path + "*");
            return keys.isEmpty() ? -2 : (Long) Resp.once(redis.port(), "PTTL", (String) keys.get(0));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aResponseStoredByOneReplicaIsAHitOnTheOther() throws Exception {
        origin.respond("/product", Response.ok("shoes").header("Cache-Control", "max-age=60"));

        assertMiss(get(a, "/product"));
        awaitStored("/product");
        clock.advance(Duration.ofSeconds(5));
        RawHttp.Response hit = get(b, "/product");

        assertHit(hit);
        assertEquals("shoes", hit.text());
        assertEquals("5", hit.header("Age"));
        assertTrue(hit.header("Cache-Status").startsWith("Outrigger; hit; ttl=55"), hit.header("Cache-Status"));
        assertEquals(1, origin.hits("/product"));
        assertEquals(1, b.requests("hit"));
    }

    @Test
    void privateResponsesAreNeverShared() throws Exception {
        origin.respond("/me", Response.ok("alice's page").header("Cache-Control", "private, max-age=60"));

        assertMiss(get(a, "/me"));
        assertMiss(get(b, "/me"));
        assertMiss(get(a, "/me"));
        assertEquals(3, origin.hits("/me"));
    }

    @Test
    void responsesToAuthorizedRequestsAreNotSharedWithoutPermission() throws Exception {
        origin.on("/account", req -> {
            if ("Bearer alice".equals(req.getHeader("Authorization"))) {
                req.response().putHeader("Cache-Control", "max-age=60").end("alice's account");
            } else {
                req.response().setStatusCode(401).end("who are you?");
            }
        });

        RawHttp.Response alice = get(a, "/account", "Authorization: Bearer alice");
        RawHttp.Response other = get(b, "/account");
        RawHttp.Response otherOnA = get(a, "/account");

        assertMiss(alice);
        assertEquals("alice's account", alice.text());
        assertEquals(401, other.status());
        assertEquals(401, otherOnA.status());
        // the fetch made for everyone went without her token (401); then hers, relayed to her alone
        assertEquals(4, origin.hits("/account"));
    }

    @Test
    void responsesToAuthorizedRequestsMarkedPublicAreShared() throws Exception {
        origin.respond("/catalog", Response.ok("catalog").header("Cache-Control", "public, max-age=60"));

        get(a, "/catalog", "Authorization: Bearer alice");
        awaitStored("/catalog");
        assertHit(get(b, "/catalog"));
    }

    @Test
    void responsesSettingCookiesAreNotStored() throws Exception {
        origin.respond("/login", Response.ok("welcome").header("Cache-Control", "max-age=60").header("Set-Cookie", "sid=alice"));

        assertMiss(get(a, "/login"));
        RawHttp.Response second = get(a, "/login");

        assertMiss(second);
        assertEquals(2, origin.hits("/login"));
    }

    @Test
    void whenAllowedACookieSettingResponseIsStoredWithoutItsCookie() throws Exception {
        try (TestProxy allowing = TestProxy.start(origin, clock, TieredResponses.memory(1 << 20, clock),
                new CacheSettings(8L << 20, dev.outrigger.policy.CachePolicy.Settings.DEFAULT, true))) {
            origin.respond("/home", Response.ok("home").header("Cache-Control", "max-age=60").header("Set-Cookie", "sid=alice"));

            RawHttp.Response first = get(allowing, "/home");
            assertEquals("sid=alice", first.header("Set-Cookie"), "the client that caused the fetch gets its cookie");
            RawHttp.Response[] hit = new RawHttp.Response[1];
            Await.until(() -> {
                try {
                    hit[0] = get(allowing, "/home");
                    return "HIT".equals(hit[0].header("X-Cache"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "a hit once the response is stored");

            assertNull(hit[0].header("Set-Cookie"), "nobody else ever does");
            assertEquals("home", hit[0].text());
        }
    }

    @Test
    void variantsAreKeptApart() throws Exception {
        origin.on("/greeting", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Accept-Language")
                .end("en".equals(req.getHeader("Accept-Language")) ? "hello" : "bonjour"));

        assertMiss(get(a, "/greeting", "Accept-Language: en"));
        assertMiss(get(a, "/greeting", "Accept-Language: fr"));
        // both variants and their index, written after each client had its response
        Await.until(() -> {
            try {
                return ((java.util.List<?>) Resp.once(redis.port(), "KEYS", "orc:v1:*/greeting*")).size() == 3;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the index and both variants are in Redis");
        RawHttp.Response en = get(b, "/greeting", "Accept-Language: en");
        RawHttp.Response fr = get(b, "/greeting", "Accept-Language: fr");

        assertHit(en);
        assertEquals("hello", en.text());
        assertHit(fr);
        assertEquals("bonjour", fr.text());
        assertEquals(2, origin.hits("/greeting"));
    }

    @Test
    void aStaleResponseIsRevalidatedAndA304RefreshesIt() throws Exception {
        origin.on("/doc", req -> {
            if ("\"v1\"".equals(req.getHeader("If-None-Match"))) {
                req.response().setStatusCode(304).putHeader("ETag", "\"v1\"").putHeader("Cache-Control", "max-age=60").end();
            } else {
                req.response().putHeader("ETag", "\"v1\"").putHeader("Cache-Control", "max-age=10").end("document");
            }
        });
        get(a, "/doc");
        awaitStored("/doc");
        clock.advance(Duration.ofSeconds(20));

        RawHttp.Response revalidated = get(a, "/doc");
        // the refreshed entry (max-age=60 now) replaces the old one in Redis and in a's L1 after the client has its answer
        // (only-if-cached: asking never reaches the origin; a stale copy answers 504)
        RawHttp.Response[] seen = new RawHttp.Response[1];
        Await.until(() -> {
            try {
                seen[0] = get(a, "/doc", "Cache-Control: only-if-cached");
                return "max-age=60".equals(seen[0].header("Cache-Control"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(5), () -> "the refreshed entry is stored; last: " + seen[0].status() + " " + seen[0].headers());
        RawHttp.Response after = get(a, "/doc");

        assertHit(revalidated);
        assertEquals("document", revalidated.text());
        assertTrue(revalidated.header("Cache-Status").contains("fwd=stale; fwd-status=304"), revalidated.header("Cache-Status"));
        assertHit(after);
        assertEquals(2, origin.hits("/doc"), () -> "one fetch, one revalidation, then fresh again; after: " + after.headers());
        assertEquals(1, a.requests("revalidated"));
    }

    @Test
    void aClientsConditionalIsAnswered304FromTheCache() throws Exception {
        origin.respond("/logo", Response.ok("png bytes").header("Cache-Control", "max-age=60").header("ETag", "\"L\""));
        get(a, "/logo");
        awaitStored("/logo");

        RawHttp.Response r = get(a, "/logo", "If-None-Match: \"L\"");

        assertEquals(304, r.status());
        assertEquals("\"L\"", r.header("ETag"));
        assertEquals(1, origin.hits("/logo"));
    }

    @Test
    void headIsAnsweredFromAStoredGet() throws Exception {
        origin.respond("/file", Response.ok("0123456789").header("Cache-Control", "max-age=60"));
        get(a, "/file");
        awaitStored("/file");

        try (RawHttp c = RawHttp.connect(a.port())) {
            RawHttp.Response head = c.exchange("HEAD /file HTTP/1.1\nHost: shop.example\n\n");
            assertHit(head);
            assertEquals("10", head.header("Content-Length"));
        }
        assertEquals(1, origin.hits("/file"));
    }

    @Test
    void staleWhileRevalidateServesStaleAndRefreshesOnce() throws Exception {
        AtomicInteger version = new AtomicInteger();
        origin.on("/feed", req -> req.response().putHeader("Cache-Control", "max-age=10, stale-while-revalidate=60")
                .end("v" + version.incrementAndGet()));
        get(a, "/feed");
        awaitStored("/feed");
        clock.advance(Duration.ofSeconds(15));

        RawHttp.Response stale = get(a, "/feed");
        RawHttp.Response[] refreshed = new RawHttp.Response[1];
        // stale until the refresh has landed (in Redis, then in a's memory), then fresh: never another refresh
        Await.until(() -> {
            try {
                refreshed[0] = get(a, "/feed");
                return "HIT".equals(refreshed[0].header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the refreshed entry is served");

        assertEquals("STALE", stale.header("X-Cache"));
        assertEquals("v1", stale.text());
        assertTrue(pttl("/feed") > 10_000 + 50_000, "the refreshed entry is in Redis");
        assertEquals("v2", refreshed[0].text());
        assertEquals(2, origin.hits("/feed"), "one fetch and one background refresh");
    }

    @Test
    void staleIfErrorServesTheStoredCopyWhenTheOriginFails() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin.on("/price", req -> {
            if (calls.incrementAndGet() == 1) {
                req.response().putHeader("Cache-Control", "max-age=10, stale-if-error=300").end("42");
            } else {
                req.response().setStatusCode(503).end("down");
            }
        });
        get(a, "/price");
        awaitStored("/price");
        clock.advance(Duration.ofSeconds(20));

        RawHttp.Response r = get(a, "/price");

        assertEquals(200, r.status());
        assertEquals("42", r.text());
        assertEquals("STALE", r.header("X-Cache"));
    }

    @Test
    void aSuccessfulUnsafeRequestInvalidatesTheTargetForEveryReplica() throws Exception {
        origin.on("/cart", req -> req.body().onSuccess(b -> req.response().putHeader("Cache-Control", "max-age=60").end("cart")));
        get(a, "/cart");
        awaitStored("/cart");
        assertHit(get(b, "/cart"));

        try (RawHttp c = RawHttp.connect(a.port())) {
            assertEquals(200, c.exchange("POST /cart HTTP/1.1\nHost: shop.example\nContent-Length: 1\n\nx").status());
        }
        // No announcement reaches b here (pod-local leases): past twice its L1 bound, b asks Redis before using its copy
        clock.advance(Duration.ofSeconds(2));

        assertMiss(get(b, "/cart"));
        assertEquals(3, origin.hits("/cart"), "fetch, POST, refetch after the invalidation");
    }

    @Test
    void aSafeMethodDoesNotInvalidate() throws Exception {
        origin.on("/menu", req -> req.response().putHeader("Cache-Control", "max-age=60").end("menu"));
        get(a, "/menu");
        awaitStored("/menu");

        try (RawHttp c = RawHttp.connect(a.port())) {
            assertEquals(200, c.exchange("OPTIONS /menu HTTP/1.1\nHost: shop.example\n\n").status());
        }
        clock.advance(Duration.ofSeconds(2));

        assertHit(get(b, "/menu"));
    }

    @Test
    void onlyIfCachedWithNothingStoredIsA504() throws Exception {
        RawHttp.Response r = get(a, "/never", "Cache-Control: only-if-cached");
        assertEquals(504, r.status());
        assertEquals(0, origin.hits("/never"));
    }

    @Test
    void aBodyLargerThanTheObjectLimitStreamsThroughUncached() throws Exception {
        try (TestProxy small = TestProxy.start(origin, clock, TieredResponses.memory(1 << 20, clock),
                new CacheSettings(100, dev.outrigger.policy.CachePolicy.Settings.DEFAULT, false))) {
            origin.respond("/big", Response.ok("x".repeat(1000)).header("Cache-Control", "max-age=60").chunked());

            assertEquals(1000, get(small, "/big").body().length);
            assertEquals(1000, get(small, "/big").body().length);
            assertEquals(2, origin.hits("/big"));
        }
    }

    @Test
    void withRedisDownEveryRequestIsStillAnsweredAndHitsReturnWithIt() throws Exception {
        origin.respond("/stock", Response.ok("7 left").header("Cache-Control", "max-age=60"));
        redis.kill();

        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(2)); // past the L1 bound: every use has Redis asked whether the copy is current
            RawHttp.Response r = get(b, "/stock");
            assertEquals(200, r.status());
            assertEquals("7 left", r.text());
        }
        // failures in a row open the circuit once they have gone on for 250 ms: the replica then skips a dead Redis
        Await.until(() -> {
            sharedB.get("anything").await().atMost(Duration.ofSeconds(5));
            return sharedB.state() != FailOpenStore.State.CLOSED;
        }, "the replica skips a dead Redis (or is probing it)");
        Await.until(() -> {
            try {
                return "HIT".equals(get(b, "/stock").header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the copy in b's memory is served while Redis is down");

        redis.restart();
        clock.advance(Duration.ofSeconds(6)); // the circuit's open period passes: the next call probes
        get(a, "/stock");
        awaitStored("/stock");
        assertHit(get(b, "/stock"));
    }

    @Test
    void noCacheHeadersAreNeverStoredWithTheResponse() throws Exception {
        origin.respond("/clean", Response.ok("x").header("Cache-Control", "max-age=60"));
        get(a, "/clean");
        awaitStored("/clean");
        RawHttp.Response hit = get(b, "/clean");

        assertHit(hit);
        assertEquals(1, hit.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("X-Cache")).count());
        assertNull(hit.header("Set-Cookie"));
    }
}
