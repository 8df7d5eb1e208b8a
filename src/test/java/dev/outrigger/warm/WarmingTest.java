package dev.outrigger.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Warming against a real origin and a real Redis shared by two replicas: at start-up and on the interval, one replica
 * for the deployment, missing and near-expiry entries only, the learned most requested targets, the rate and
 * concurrency bounds, failures counted; warming is not client traffic in the request meters.
 */
class WarmingTest {

    static TestRedis testRedis;
    OriginServer origin;
    Deployment deployment;
    TestProxy alone;

    @BeforeAll
    static void startRedis() throws Exception {
        testRedis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        testRedis.close();
    }

    @BeforeEach
    void start() throws Exception {
        testRedis.flush();
        origin = OriginServer.start();
        deployment = new Deployment(testRedis, origin);
        for (String path : new String[] {"/api/products", "/api/categories", "/short"}) {
            origin.respond(path, Response.ok("[\"" + path + "\"]").header("Content-Type", "application/json")
                    .header("Cache-Control", path.equals("/short") ? "max-age=30" : "max-age=3600"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (alone != null) {
            alone.close();
        }
        deployment.close();
        origin.close();
    }

    static WarmTarget at(String target) {
        return new WarmTarget(Deployment.HOST, target);
    }

    static WarmSettings warm(List<WarmTarget> list, int top, Duration interval, boolean atStart, int rate, int concurrency) {
        return new WarmSettings(true, list, top, interval, atStart, Duration.ofSeconds(60), rate, concurrency, Duration.ofSeconds(10));
    }

    TestProxy replica(WarmSettings warm) throws Exception {
        return deployment.replica(Clock.systemUTC(), CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)),
                CacheSettings.DEFAULT.withWarm(warm));
    }

    /** A proxy with its own in-memory cache: it shares nothing, so it warms itself every round. */
    TestProxy alone(WarmSettings warm) {
        alone = TestProxy.start(origin, Clock.systemUTC(), null, CacheSettings.DEFAULT.withWarm(warm), Leases.LOCAL,
                CoalesceSettings.DEFAULT);
        return alone;
    }

    static double rounds(TestProxy p, String result) {
        return p.counter("outrigger.warm.runs", "result", result);
    }

    static Warmer.Round round(TestProxy p) throws Exception {
        return p.warmer().round().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void oneReplicaWarmsTheListAtStartForTheDeployment() throws Exception {
        WarmSettings warm = warm(List.of(at("/api/products?page=1"), at("/api/categories")), 0, Duration.ofHours(1), true, 50, 2);
        TestProxy a = replica(warm);
        TestProxy b = replica(warm);
        Await.until(() -> rounds(a, "ran") + rounds(a, "skipped") + rounds(b, "ran") + rounds(b, "skipped") == 2,
                "both replicas had their start-up round");

        assertEquals(1.0, rounds(a, "ran") + rounds(b, "ran"), "one replica warmed, the other found the round taken");
        assertEquals(1, origin.hits("/api/products"));
        assertEquals(1, origin.hits("/api/categories"));
        // clients on either replica find the entries warm
        Await.until(() -> a.coalescer().inFlight() == 0 && b.coalescer().inFlight() == 0, "stored");
        assertEquals("HIT", Deployment.get(b.port(), "/api/products?page=1").header("X-Cache"));
        assertEquals("HIT", Deployment.get(a.port(), "/api/categories").header("X-Cache"));
        assertEquals(1, origin.hits("/api/products"));
        double warmer = rounds(a, "ran") == 1 ? a.counter("outrigger.warm.urls", "result", "fetched")
                : b.counter("outrigger.warm.urls", "result", "fetched");
        assertEquals(2.0, warmer);
        // warming is not client traffic: only the two client requests are counted
        assertEquals(2.0, a.requests("hit") + b.requests("hit") + a.requests("miss") + b.requests("miss"));
    }

    @Test
    void withRedisConfiguredButDownNobodyWarms() throws Exception {
        TestProxy a = replica(warm(List.of(at("/api/products")), 0, Duration.ofHours(1), false, 50, 2));
        testRedis.server().kill();
        try {
            assertEquals(Warmer.Round.SKIPPED, round(a), "every replica would send the whole list: none does");
            assertEquals(0, origin.hits("/api/products"));
        } finally {
            testRedis.server().restart();
        }
    }

    @Test
    void onTheIntervalOnlyMissingAndNearExpiryEntriesAreFetched() throws Exception {
        TestProxy p = alone(warm(List.of(at("/api/products"), at("/short")), 0, Duration.ofHours(1), false, 50, 2));

        Warmer.Round first = round(p);
        assertEquals(new Warmer.Round(true, 0, 2, 0), first, "both missing");
        Await.until(() -> p.coalescer().inFlight() == 0, "stored");
        Warmer.Round second = round(p);
        // /short has 30s left, under the 60s refresh window: fetched again; /api/products has an hour: left alone
        assertEquals(new Warmer.Round(true, 1, 1, 0), second);
        assertEquals(1, origin.hits("/api/products"));
        assertEquals(2, origin.hits("/short"));
    }

    @Test
    void aRoundWithNothingToWarmEnds() throws Exception {
        TestProxy p = alone(warm(List.of(), 10, Duration.ofHours(1), false, 50, 2));
        assertEquals(new Warmer.Round(true, 0, 0, 0), round(p));
        assertEquals(new Warmer.Round(true, 0, 0, 0), round(p));
    }

    @Test
    void theIntervalStartsRoundsByItself() throws Exception {
        TestProxy p = alone(warm(List.of(at("/short")), 0, Duration.ofSeconds(1), false, 50, 1));
        Await.until(() -> rounds(p, "ran") >= 2, Duration.ofSeconds(20), "two rounds on the interval");
        assertTrue(origin.hits("/short") >= 2);
    }

    @Test
    void theMostRequestedTargetsAreLearnedAndWarmed() throws Exception {
        TestProxy p = alone(warm(List.of(), 2, Duration.ofHours(1), false, 50, 2));
        origin.respond("/p1", Response.ok("1").header("Cache-Control", "max-age=30"));
        origin.respond("/p2", Response.ok("2").header("Cache-Control", "max-age=30"));
        origin.respond("/p3", Response.ok("3").header("Cache-Control", "max-age=30"));
        origin.respond("/p4", Response.ok("4").header("Cache-Control", "public, max-age=30"));
        for (String[] asked : new String[][] {{"/p1", "5"}, {"/p2", "3"}, {"/p3", "1"}}) {
            for (int i = 0; i < Integer.parseInt(asked[1]); i++) {
                p.get(asked[0]);
            }
        }
        for (int i = 0; i < 10; i++) {
            p.get("/p4", "Authorization: Bearer ada"); // a user's request is not learned, however often
        }
        Await.until(() -> p.coalescer().inFlight() == 0, "stored");
        int p3 = origin.hits("/p3");

        Warmer.Round r = round(p);

        int p4 = origin.hits("/p4");
        assertEquals(new Warmer.Round(true, 0, 2, 0), r, "the two most requested, both near expiry");
        assertEquals(2, origin.hits("/p1"));
        assertEquals(2, origin.hits("/p2"));
        assertEquals(p3, origin.hits("/p3"), "the third is not among the top two");
        assertEquals(p4, origin.hits("/p4"));
    }

    @Test
    void theRateAndConcurrencyBoundsHold() throws Exception {
        List<WarmTarget> list = List.of(at("/slow?1"), at("/slow?2"), at("/slow?3"), at("/slow?4"), at("/slow?5"), at("/slow?6"));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        origin.on("/slow", (HttpServerRequest req) -> {
            arrivals.add(System.nanoTime());
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            io.vertx.core.Vertx.currentContext().owner().setTimer(300, t -> {
                inFlight.decrementAndGet();
                req.response().putHeader("Cache-Control", "max-age=3600").end("s");
            });
        });
        TestProxy p = alone(warm(list, 0, Duration.ofHours(1), false, 5, 2));

        long started = System.nanoTime();
        Warmer.Round r = round(p);

        assertEquals(6, r.fetched());
        assertEquals(2, most.get(), "two at once, never more");
        // one request per 200 ms tick: the sixth cannot start before five ticks have passed
        long last = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(last - started >= TimeUnit.MILLISECONDS.toNanos(1000), (last - started) / 1_000_000 + " ms");
    }

    @Test
    void aFailingTargetIsCountedAndTheRunGoesOn() throws Exception {
        origin.respond("/broken", Response.status(503).body("down"));
        TestProxy p = alone(warm(List.of(at("/broken"), at("/api/products"), new WarmTarget(Deployment.HOST, "/api/categories",
                Map.of("Accept-Language", "fr"))), 0, Duration.ofHours(1), false, 50, 2));

        Warmer.Round r = round(p);

        assertEquals(new Warmer.Round(true, 0, 2, 1), r);
        assertEquals(1.0, p.counter("outrigger.warm.urls", "result", "failed"));
        assertEquals("fr", origin.last("/api/categories").header("Accept-Language"), "a listed request's own headers");
    }
}
