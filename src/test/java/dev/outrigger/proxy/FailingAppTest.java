package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.upstream.UpstreamHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The application fails (503s, then closed connections) while the cache holds stale-if-error copies: after
 * a few failures in a row the copies are served without asking it, one request at a time probes it (its
 * interval doubling, as the mutable clock shows), and the first answer it gives ends the failing state.
 */
class FailingAppTest {

    static final int KEYS = 20;
    static final int FAILING_AFTER = UpstreamHealth.Settings.DEFAULT.failingAfter();

    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.now());
        proxy = TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock), CacheSettings.DEFAULT);
        healthy();
        for (int i = 0; i < KEYS; i++) {
            assertEquals("MISS", proxy.get(path(i)).header("X-Cache"));
        }
        clock.advance(Duration.ofSeconds(2)); // every copy is stale now, and may be served for 600 s on error
        origin.reset();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    static String path(int i) {
        return "/items/" + i;
    }

    void healthy() {
        for (int i = 0; i < KEYS; i++) {
            origin.respond(path(i), Response.ok("item " + i).header("Cache-Control", "max-age=1, stale-if-error=600"));
        }
    }

    void failing(Response response) {
        for (int i = 0; i < KEYS; i++) {
            origin.respond(path(i), response);
        }
    }

    /**
     * Failures in a row, spread over the second they must span: the app counts as failing at the last one; each
     * request is answered with its stale copy (after asking the app, as it was not known to fail yet).
     */
    void failUntilFailing() throws Exception {
        for (int i = 0; i < FAILING_AFTER; i++) {
            if (i > 0) {
                clock.advance(UpstreamHealth.Settings.DEFAULT.failingFor().dividedBy(FAILING_AFTER - 1));
            }
            assertEquals(UpstreamHealth.State.HEALTHY, proxy.health().state());
            assertEquals("STALE", proxy.get(path(i)).header("X-Cache"));
        }
        assertEquals(UpstreamHealth.State.FAILING, proxy.health().state());
    }

    int appRequests() {
        return IntStream.range(0, KEYS).map(i -> origin.hits(path(i))).sum();
    }

    @Test
    void whileTheAppAnswers503StaleCopiesAreServedWithoutAskingItAndOneProbeAtATimeFindsItBack() throws Exception {
        failing(Response.status(503).body("down"));
        failUntilFailing();

        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < KEYS; i++) {
                RawHttp.Response r = proxy.get(path(i));
                assertEquals(200, r.status());
                assertEquals("item " + i, r.text());
                assertEquals("STALE", r.header("X-Cache"));
            }
        }

        // 200 answers, and only the failures that told the cache the app was failing reached it
        assertEquals(FAILING_AFTER, appRequests());
        assertEquals(UpstreamHealth.State.FAILING, proxy.health().state());
        assertEquals(1.0, proxy.gauge("outrigger.upstream.state"));
        assertEquals(FAILING_AFTER, proxy.counter("outrigger.upstream.failures", "reason", "503"));
        assertEquals(10 * KEYS, proxy.counter("outrigger.upstream.spared"));
        assertTrue(proxy.get(path(0)).header("Cache-Status").contains("detail=upstream-failing"));

        // a second later one request (and only one) asks; it fails, so the next probe waits two seconds
        clock.advance(Duration.ofSeconds(1));
        int before = appRequests();
        for (int i = 0; i < KEYS; i++) {
            assertEquals("STALE", proxy.get(path(i)).header("X-Cache"));
        }
        assertEquals(before + 1, appRequests());
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < KEYS; i++) {
            assertEquals("STALE", proxy.get(path(i)).header("X-Cache"));
        }
        assertEquals(before + 1, appRequests(), "the interval doubled after a failed probe");
        assertEquals(1, proxy.counter("outrigger.upstream.probes"));

        // the app is back: the next probe's success ends the failing state, and requests ask it again
        healthy();
        clock.advance(Duration.ofSeconds(1));
        RawHttp.Response probe = proxy.get(path(3));
        assertEquals("MISS", probe.header("X-Cache"));
        assertEquals(UpstreamHealth.State.HEALTHY, proxy.health().state());
        assertEquals(0.0, proxy.gauge("outrigger.upstream.state"));
        assertEquals("MISS", proxy.get(path(4)).header("X-Cache"));
    }

    @Test
    void aBurstWaitingOnOneFetchWhenTheAppStartsFailingIsAnsweredStaleNotOneAppRequestEach() throws Exception {
        // not known to be failing yet: the burst's flight asks, fails, one waiter retries and fails too. The clients
        // ask for a response no older than 0 s, so they wait for the flight rather than take the stale copy at once
        origin.respond(path(0), Response.status(503).body("down").delay(Duration.ofMillis(300)));
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<RawHttp.Response>> burst = new ArrayList<>();
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 30; i++) {
                burst.add(clients.submit(() -> {
                    go.await();
                    return proxy.get(path(0), "Cache-Control: max-age=0");
                }));
            }
            go.countDown();
            for (var f : burst) {
                RawHttp.Response r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("item 0", r.text());
                assertEquals("STALE", r.header("X-Cache"));
            }
        }
        int asked = origin.hits(path(0));
        assertTrue(asked <= 2, "the flight's fetch (and at most one retry); the others were answered from its failure: " + asked);
        assertEquals(0, proxy.counter("outrigger.coalesce.gave.up", "reason", "fetch-failed"));
    }

    @Test
    void aKeyWhoseFetchFailedIsServedStaleWithoutAskingForASecondWhileTheAppIsNotKnownToFail() throws Exception {
        origin.respond(path(0), Response.status(503).body("down")); // one route failing, the others healthy
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = proxy.get(path(0));
            assertEquals(200, r.status());
            assertEquals("STALE", r.header("X-Cache"));
        }
        assertEquals(1, origin.hits(path(0)), "one failed fetch per key and interval, not one per request");
        assertEquals(UpstreamHealth.State.HEALTHY, proxy.health().state());
        assertEquals("MISS", proxy.get(path(1)).header("X-Cache"), "other keys still ask");

        clock.advance(UpstreamHealth.Settings.DEFAULT.probeEvery());
        assertEquals("STALE", proxy.get(path(0)).header("X-Cache"));
        assertEquals(2, origin.hits(path(0)), "a second later the key asks again");
    }

    @Test
    void closedConnectionsCountAsFailuresAndAreNotRetriedForEveryStaleAnswer() throws Exception {
        failing(Response.drop());
        failUntilFailing();

        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < KEYS; i++) {
                RawHttp.Response r = proxy.get(path(i));
                assertEquals(200, r.status());
                assertEquals("STALE", r.header("X-Cache"));
            }
        }

        assertEquals(FAILING_AFTER, appRequests());
        assertEquals(FAILING_AFTER, proxy.counter("outrigger.upstream.failures", "reason", "closed"));
    }

    @Test
    void aKeyWithNothingStaleStillAsksTheAppAndTheAppsFirstAnswerEndsTheFailingState() throws Exception {
        failing(Response.status(503).body("down"));
        origin.respond("/cold", Response.status(503).body("down"));
        failUntilFailing();

        // nothing to fall back on: the app's own answer, as without the failing state
        RawHttp.Response cold = proxy.get("/cold");
        assertEquals(503, cold.status());
        assertEquals("down", cold.text());
        assertEquals(1, origin.hits("/cold"));

        origin.respond("/cold", Response.ok("cold").header("Cache-Control", "max-age=60"));
        assertEquals("cold", proxy.get("/cold").text());
        assertEquals(UpstreamHealth.State.HEALTHY, proxy.health().state());
    }

    @Test
    void withoutStaleIfErrorAStaleCopyIsNotServedWhileTheAppFails() throws Exception {
        origin.respond("/strict", Response.ok("strict").header("Cache-Control", "max-age=1"));
        assertEquals("MISS", proxy.get("/strict").header("X-Cache"));
        clock.advance(Duration.ofSeconds(2));
        failing(Response.status(503).body("down"));
        failUntilFailing();

        origin.respond("/strict", Response.status(503).body("down"));
        RawHttp.Response r = proxy.get("/strict");
        assertEquals(503, r.status(), "the response never allowed stale on error: the app's answer is relayed");
        assertEquals(2, origin.hits("/strict"));
    }
}
