package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.StandaloneProxy;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas (each its own L1 and coalescer, leases in one real Redis) in front of one real origin whose
 * answers take time: bursts of concurrent requests for one key, spread over the replicas.
 */
class CoalescingTest {

    static TestRedis testRedis;

    final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    OriginServer origin;
    Deployment deployment;

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
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        deployment.close();
        origin.close();
        if (!testRedis.server().running()) {
            testRedis.server().restart();
        }
    }

    TestProxy replica(Clock clock, CoalesceSettings settings) throws Exception {
        return deployment.replica(clock, settings, CacheSettings.DEFAULT);
    }

    TestProxy replica() throws Exception {
        return deployment.replica();
    }

    static RawHttp.Response get(int port, String target, String... headers) {
        return Deployment.get(port, target, headers);
    }

    /** {@code n} GETs released at once, spread round-robin over {@code ports}; the i-th gets {@code headers.apply(i)}. */
    List<RawHttp.Response> burst(int n, String target, Function<Integer, String[]> headers, int... ports) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RawHttp.Response>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int port = ports[i % ports.length];
            String[] h = headers.apply(i);
            pending.add(clients.submit(() -> {
                go.await();
                return get(port, target, h);
            }));
        }
        go.countDown();
        List<RawHttp.Response> out = new ArrayList<>();
        for (Future<RawHttp.Response> f : pending) {
            out.add(f.get(30, TimeUnit.SECONDS));
        }
        return out;
    }

    List<RawHttp.Response> burst(int n, String target, int... ports) throws Exception {
        return burst(n, target, i -> new String[0], ports);
    }

    static double sum(String counter, TestProxy... proxies) {
        double total = 0;
        for (TestProxy p : proxies) {
            total += p.counter(counter);
        }
        return total;
    }

    static Map<String, Long> byXCache(List<RawHttp.Response> responses) {
        return responses.stream().collect(Collectors.groupingBy(r -> String.valueOf(r.header("X-Cache")), Collectors.counting()));
    }

    @Test
    void aBurstOverThreeReplicasReachesTheOriginOnce() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        TestProxy c = replica();
        origin.respond("/cold", Response.ok("the one body").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(300)));

        List<RawHttp.Response> responses = burst(300, "/cold", a.port(), b.port(), c.port());

        assertEquals(1, origin.hits("/cold"), "one fetch for the whole deployment");
        for (RawHttp.Response r : responses) {
            assertEquals(200, r.status());
            assertEquals("the one body", r.text());
        }
        assertEquals(1L, byXCache(responses).get("MISS"), () -> "only the leader missed: " + byXCache(responses));
        assertEquals(1, sum("outrigger.coalesce.leases", a, b, c), "one lease taken in Redis");
    }

    @Test
    void aFetchThatOutlivesTheLeaseTtlRenewsItsLeaseAndStaysTheOnlyOne() throws Exception {
        TestProxy a = replica(Clock.systemUTC(), CoalesceSettings.DEFAULT);
        TestProxy b = replica(Clock.systemUTC(), CoalesceSettings.DEFAULT);
        Duration fetch = CoalesceSettings.DEFAULT.leaseTtl().multipliedBy(2);
        origin.respond("/long", Response.ok("long").header("Cache-Control", "max-age=60").delay(fetch));

        List<RawHttp.Response> responses = burst(40, "/long", a.port(), b.port());

        assertEquals(1, origin.hits("/long"), "the holder renewed its lease while it fetched: nobody took over");
        responses.forEach(r -> assertEquals("long", r.text()));
        assertEquals(0, sum("outrigger.coalesce.takeovers", a, b));
    }

    @Test
    void whenAFillDoesNotReachRedisTheWaitersOfAnotherReplicaFetchOnceNotOnceEach() throws Exception {
        // The leader's replica takes its lease in Redis but cannot write there (as with its Redis circuit
        // open): its fill signal reaches the waiters, the shared store has nothing for them.
        CoalesceSettings settings = CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5));
        RedisLeases leases = new RedisLeases(testRedis.client(), "orc:v1:", settings.leaseTtl(),
                Duration.ofSeconds(5), Duration.ofSeconds(1)).start();
        leases.whenListening().await().atMost(Duration.ofSeconds(5));
        Clock clock = Clock.systemUTC();
        try (TestProxy leader = TestProxy.start(origin, clock, dev.outrigger.cache.TieredResponses.memory(1 << 20, clock),
                CacheSettings.DEFAULT, leases, settings)) {
            TestProxy b = replica();
            origin.respond("/unshared", Response.ok("filled").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(400)));
            Future<RawHttp.Response> first = clients.submit(() -> Deployment.get(leader.port(), "/unshared"));
            Await.until(() -> origin.hits("/unshared") == 1, "the leader fetches");

            List<RawHttp.Response> waiters = burst(30, "/unshared", b.port());

            assertEquals("filled", first.get(10, TimeUnit.SECONDS).text());
            waiters.forEach(r -> assertEquals("filled", r.text()));
            assertEquals(2, origin.hits("/unshared"), "the leader's fetch and one more for the replica that found nothing");
            assertEquals(0, b.counter("outrigger.coalesce.gave.up", "reason", "nothing-stored"));
            assertTrue(b.counter("outrigger.coalesce.waiters") >= 30, "every request to the other replica waited for the leader");
        }
    }

    @Test
    void waitersAreToldTheyWereCollapsed() throws Exception {
        TestProxy a = replica();
        origin.respond("/told", Response.ok("x").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(300)));

        List<RawHttp.Response> responses = burst(5, "/told", a.port());

        long collapsed = responses.stream().filter(r -> r.header("Cache-Status").contains("; collapsed")).count();
        assertEquals(4, collapsed, () -> responses.stream().map(r -> r.header("Cache-Status")).toList().toString());
        assertEquals(4, a.counter("outrigger.coalesce.fetches.saved"));
    }

    @Test
    void whenTheLeadersReplicaDiesAnotherTakesOverAndEveryoneIsAnswered() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        // The first fetch never gets an answer: its replica is killed while it waits.
        origin.on("/slow", req -> {
            if (origin.hits("/slow") > 1) {
                req.response().putHeader("Cache-Control", "max-age=60").end("after the takeover");
            }
        });
        try (StandaloneProxy.Child leader = new StandaloneProxy.Child(
                List.of(origin.url(), testRedis.server().uri(), "1000"))) {
            clients.submit(() -> get(leader.port(), "/slow"));
            Await.until(() -> origin.hits("/slow") == 1, "the doomed replica fetches");
            List<Future<RawHttp.Response>> waiting = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int port = (i % 2 == 0 ? a : b).port();
                waiting.add(clients.submit(() -> get(port, "/slow")));
            }
            Await.until(() -> sum("outrigger.coalesce.waiters", a, b) == 20, "the other replicas wait for its lease");

            leader.kill();

            for (Future<RawHttp.Response> f : waiting) {
                RawHttp.Response r = f.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("after the takeover", r.text());
            }
        }
        assertEquals(2, origin.hits("/slow"), "the dead replica's fetch and one takeover");
        assertEquals(1, sum("outrigger.coalesce.takeovers", a, b));
    }

    @Test
    void aPrivateResponseSendsEveryWaiterToTheOriginForItsOwn() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        origin.respond("/mine", Response.ok("yours only").header("Cache-Control", "private, max-age=60")
                .delay(Duration.ofMillis(300)));

        List<RawHttp.Response> responses = burst(10, "/mine", a.port(), b.port());

        assertEquals(9, sum("outrigger.coalesce.waiters", a, b), "all but the leader waited");
        assertEquals(10, origin.hits("/mine"), "then each made its own request");
        responses.forEach(r -> assertEquals("MISS", r.header("X-Cache")));
    }

    @Test
    void aKeyFoundUnshareableIsNotCoalescedForAWhile() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        origin.respond("/cart", Response.ok("cart").header("Cache-Control", "no-store").delay(Duration.ofMillis(300)));
        get(a.port(), "/cart");
        Await.until(() -> b.coalescer().knownUnshareable("http://shop.example/cart"), "the other replica heard it");

        burst(6, "/cart", a.port(), b.port());

        assertEquals(0, sum("outrigger.coalesce.waiters", a, b), "hit-for-miss: nobody queued behind a lease");
        assertEquals(7, origin.hits("/cart"));
    }

    @Test
    void withRedisStoppedEachReplicaStillCoalescesOnItsOwn() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        origin.respond("/offline", Response.ok("o").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(300)));
        testRedis.server().kill();

        List<RawHttp.Response> responses = burst(40, "/offline", a.port(), b.port());

        responses.forEach(r -> assertEquals(200, r.status()));
        assertEquals(2, origin.hits("/offline"), "one fetch per replica");
        assertEquals(0, sum("outrigger.coalesce.leases", a, b));
    }

    @Test
    void aWaiterWhoseBoundRunsOutFetchesForItself() throws Exception {
        TestProxy a = replica(Clock.systemUTC(), CoalesceSettings.DEFAULT.withWaitTimeout(Duration.ofMillis(100)));
        origin.respond("/glacial", Response.ok("g").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(1500)));

        List<RawHttp.Response> responses = burst(4, "/glacial", a.port());

        responses.forEach(r -> assertEquals(200, r.status()));
        assertEquals(3, a.counter("outrigger.coalesce.wait.timeouts"));
        assertEquals(4, origin.hits("/glacial"));
    }

    @Test
    void aWaiterWhoseVariantDiffersMakesItsOwnRequest() throws Exception {
        TestProxy a = replica();
        origin.on("/greeting", req -> io.vertx.core.Vertx.currentContext().owner().setTimer(300, id -> req.response()
                .putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Accept-Language")
                .end("hello in " + req.getHeader("Accept-Language"))));

        List<RawHttp.Response> responses = burst(6, "/greeting",
                i -> new String[] {"Accept-Language: " + (i % 2 == 0 ? "en" : "fr")}, a.port());

        assertEquals(4, origin.hits("/greeting"), "the leader's, and one for each request in the other language");
        for (int i = 0; i < responses.size(); i++) {
            assertEquals("hello in " + (i % 2 == 0 ? "en" : "fr"), responses.get(i).text());
        }
    }

    @Test
    void aHotKeyIsRefreshedEarlyByOneRequestAndNoRequestMisses() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        // u = 1/e: the early window is exactly beta × delta = the last fetch's duration (1 s here)
        CoalesceSettings settings = CoalesceSettings.DEFAULT.withRandom(() -> Math.exp(-1));
        TestProxy a = replica(clock, settings);
        TestProxy b = replica(clock, settings);
        origin.on("/hot", req -> {
            if (origin.hits("/hot") == 1) {
                clock.advance(Duration.ofSeconds(1)); // the first fetch takes a second
            }
            req.response().putHeader("Cache-Control", "max-age=60").end("v" + origin.hits("/hot"));
        });
        assertEquals("MISS", get(a.port(), "/hot").header("X-Cache"));
        Await.until(() -> a.coalescer().inFlight() == 0, "stored");
        // stored with age 1 s: fresh for 59 s more, the last 1 s of which is the early window
        clock.advance(Duration.ofSeconds(57));
        assertEquals("HIT", get(b.port(), "/hot").header("X-Cache"));
        assertEquals(1, origin.hits("/hot"), "not yet in the early window");

        clock.advance(Duration.ofMillis(1500));
        List<RawHttp.Response> steady = burst(40, "/hot", a.port(), b.port());

        steady.forEach(r -> assertEquals("HIT", r.header("X-Cache"), () -> "no request misses: " + r.headers()));
        Await.until(() -> a.coalescer().inFlight() == 0 && b.coalescer().inFlight() == 0, "the refresh ended");
        assertEquals(2, origin.hits("/hot"), "one early refresh for both replicas");
        clock.advance(Duration.ofSeconds(5)); // past the first response's expiry
        RawHttp.Response after = get(b.port(), "/hot");
        assertEquals("HIT", after.header("X-Cache"));
        assertEquals("v2", after.text());
    }

    @Test
    void whileOneReplicaRefreshesAStaleEntryTheOthersServeItStale() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        TestProxy a = replica(clock, CoalesceSettings.DEFAULT);
        TestProxy b = replica(clock, CoalesceSettings.DEFAULT);
        origin.respond("/news", Response.ok("news").header("Cache-Control", "max-age=10, stale-if-error=600")
                .header("ETag", "\"n1\"").delay(Duration.ofMillis(300)));
        get(a.port(), "/news");
        Await.until(() -> a.coalescer().inFlight() == 0, "stored");
        clock.advance(Duration.ofSeconds(30));

        List<RawHttp.Response> responses = burst(10, "/news", a.port(), b.port());

        assertEquals(2, origin.hits("/news"), () -> "the first fetch and one revalidation: "
                + responses.stream().map(r -> r.header("X-Cache") + " " + r.header("Cache-Status")).toList());
        assertEquals(9L, byXCache(responses).get("STALE"), () -> "all but the refreshing request: " + byXCache(responses));
        assertEquals(9, sum("outrigger.coalesce.fetches.saved", a, b));
    }

    @Test
    void aMustRevalidateEntryIsNeverServedStaleWhileRefreshing() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        TestProxy a = replica(clock, CoalesceSettings.DEFAULT);
        TestProxy b = replica(clock, CoalesceSettings.DEFAULT);
        origin.respond("/rates", Response.ok("rates").header("Cache-Control", "max-age=10, must-revalidate, stale-if-error=600")
                .delay(Duration.ofMillis(300)));
        get(a.port(), "/rates");
        Await.until(() -> a.coalescer().inFlight() == 0, "stored");
        clock.advance(Duration.ofSeconds(30));

        List<RawHttp.Response> responses = burst(10, "/rates", a.port(), b.port());

        assertEquals(2, origin.hits("/rates"));
        assertTrue(responses.stream().noneMatch(r -> "STALE".equals(r.header("X-Cache"))), () -> byXCache(responses).toString());
        assertEquals(9L, byXCache(responses).get("HIT"), "the waiters get the refreshed response");
    }

    static RawHttp.Response head(int port, String target) {
        try (RawHttp c = RawHttp.connect(port)) {
            return c.exchange("HEAD " + target + " HTTP/1.1\nHost: " + Deployment.HOST + "\n\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailedFetchIsRetriedByAWaiterThatCanLeadAndAHeadWaiterFetchesForItself() throws Exception {
        TestProxy a = replica();
        origin.on("/flaky", req -> io.vertx.core.Vertx.currentContext().owner().setTimer(300, id -> {
            if (origin.hits("/flaky") == 1) {
                req.response().setStatusCode(503).end("down");
            } else {
                req.response().putHeader("Cache-Control", "max-age=60").end("up");
            }
        }));
        Future<RawHttp.Response> leader = clients.submit(() -> get(a.port(), "/flaky"));
        Await.until(() -> origin.hits("/flaky") == 1, "the leader fetches");
        Future<RawHttp.Response> headWaiter = clients.submit(() -> head(a.port(), "/flaky"));
        Await.until(() -> a.counter("outrigger.coalesce.waiters") == 1, "the HEAD waits");
        Future<RawHttp.Response> getWaiter = clients.submit(() -> get(a.port(), "/flaky"));
        Await.until(() -> a.counter("outrigger.coalesce.waiters") == 2, "the second GET waits");

        assertEquals(503, leader.get(10, TimeUnit.SECONDS).status());
        assertEquals(200, headWaiter.get(10, TimeUnit.SECONDS).status(), "offered the lead, the HEAD fetched for itself");
        RawHttp.Response retried = getWaiter.get(10, TimeUnit.SECONDS);
        assertEquals("up", retried.text());
        Await.until(() -> a.coalescer().inFlight() == 0, "the flight ended");
        assertEquals(3, origin.hits("/flaky"));
        assertEquals(1, a.counter("outrigger.coalesce.takeovers"), "the GET took over the failed fetch");
    }

    @Test
    void aHeadRequestIsAnsweredFromAGetInFlight() throws Exception {
        TestProxy a = replica();
        origin.respond("/doc", Response.ok("document").header("Cache-Control", "max-age=60").delay(Duration.ofMillis(300)));
        Future<RawHttp.Response> leader = clients.submit(() -> get(a.port(), "/doc"));
        Await.until(() -> origin.hits("/doc") == 1, "the GET fetches");

        RawHttp.Response h = head(a.port(), "/doc");

        assertEquals(200, h.status());
        assertEquals("8", h.header("Content-Length"));
        assertTrue(h.header("Cache-Status").contains("collapsed"), h.header("Cache-Status"));
        assertEquals("document", leader.get(10, TimeUnit.SECONDS).text());
        assertEquals(1, origin.hits("/doc"));
    }
}
