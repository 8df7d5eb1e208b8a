package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.WriteSignals;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas sharing a real Redis (deadlines of 250 ms for reads, 1 s for writes, the circuit opening after 5
 * failures in a row, as in production but with room for a loaded test machine), warm on 40 keys fresh for an hour, when Redis is killed or paused: every warm
 * key is answered from the replicas' memory, only a true miss reaches the app, and a paused Redis is given
 * up on and skipped rather than waited for on every request.
 */
class RedisFaultTest {

    static final int KEYS = 40;

    TestRedis redis;
    OriginServer origin;
    Deployment deployment;
    MutableClock clock;
    FailOpenStore[] stores = new FailOpenStore[2];
    TestProxy a;
    TestProxy b;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start();
        origin = OriginServer.start();
        deployment = new Deployment(redis, origin);
        clock = new MutableClock(Instant.now());
        WriteSignals[] pods = {deployment.pod(), deployment.pod()};
        for (int i = 0; i < 2; i++) {
            stores[i] = new FailOpenStore(deployment.redisStore(pods[i]), Duration.ofMillis(250), Duration.ofMillis(1000), 5,
                    Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
        }
        a = deployment.replica(clock, CoalesceSettings.DEFAULT, CacheSettings.DEFAULT, pods[0], stores[0]);
        b = deployment.replica(clock, CoalesceSettings.DEFAULT, CacheSettings.DEFAULT, pods[1], stores[1]);
        for (int i = 0; i < KEYS; i++) {
            origin.respond(path(i), Response.ok("item " + i).header("Cache-Control", "public, max-age=3600"));
        }
        for (int i = 0; i < KEYS; i++) {
            String p = path(i);
            Await.until(() -> "HIT".equals(Deployment.get(b.port(), p).header("X-Cache")), p + " stored and read by both");
            Await.until(() -> "HIT".equals(Deployment.get(a.port(), p).header("X-Cache")), p + " a hit in the first replica");
        }
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
        redis.close();
    }

    static String path(int i) {
        return "/warm/" + i;
    }

    int appRequests() {
        return IntStream.range(0, KEYS).map(i -> origin.hits(path(i))).sum();
    }

    /** Every warm key, five times, on both replicas: all hits, none of them reaching the app. */
    void everyWarmKeyIsAHitOnBothReplicas() {
        int before = appRequests();
        for (int round = 0; round < 5; round++) {
            for (TestProxy replica : List.of(a, b)) {
                for (int i = 0; i < KEYS; i++) {
                    RawHttp.Response r = Deployment.get(replica.port(), path(i));
                    assertEquals(200, r.status());
                    assertEquals("item " + i, r.text());
                    assertEquals("HIT", r.header("X-Cache"), path(i) + " " + r.header("Cache-Status") + " round " + round);
                }
            }
        }
        assertEquals(before, appRequests(), "fresh copies in memory: no warm key reached the app");
    }

    @Test
    void withRedisKilledFreshCopiesAreServedFromMemoryAndOnlyTrueMissesReachTheApp() throws Exception {
        redis.server().kill();
        // long past the L1 bound: every copy would be confirmed with Redis before use, and Redis is gone
        clock.advance(Duration.ofSeconds(30));

        everyWarmKeyIsAHitOnBothReplicas();
        java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();
        Await.until(() -> {
            Deployment.get(a.port(), "/miss/" + misses.incrementAndGet()); // each a new key: a miss asks Redis
            return stores[0].state() == FailOpenStore.State.OPEN;
        }, "refused calls opened the circuit: Redis is skipped");

        origin.respond("/cold", Response.ok("cold").header("Cache-Control", "public, max-age=3600"));
        assertEquals("MISS", Deployment.get(a.port(), "/cold").header("X-Cache"));
        assertEquals("HIT", Deployment.get(a.port(), "/cold").header("X-Cache"), "stored in memory while Redis is down");
        assertEquals(1, origin.hits("/cold"));
    }

    @Test
    void withRedisPausedFreshCopiesAreServedAndRedisIsSkippedOnceItStopsAnswering() throws Exception {
        clock.advance(Duration.ofSeconds(30));
        redis.client().send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(4000).arg("ALL")).await().atMost(Duration.ofSeconds(5));

        everyWarmKeyIsAHitOnBothReplicas();
        for (FailOpenStore store : stores) {
            assertEquals(FailOpenStore.State.OPEN, store.state(),
                    "a Redis that answers nothing costs its deadline a few times, then it is skipped");
        }
    }

    @Test
    void whenRedisIsBackTheReplicasShareFillsAgain() throws Exception {
        redis.server().kill();
        clock.advance(Duration.ofSeconds(30));
        everyWarmKeyIsAHitOnBothReplicas();
        redis.server().restart();
        clock.advance(Duration.ofSeconds(6)); // the circuit's open period is over: the next call probes Redis

        origin.respond("/probe", Response.ok("probe"));
        for (int i = 0; i < 2; i++) {
            TestProxy replica = i == 0 ? a : b;
            FailOpenStore store = stores[i];
            Await.until(() -> {
                Deployment.get(replica.port(), "/probe"); // a miss asks Redis: the circuit's probe
                return store.state() == FailOpenStore.State.CLOSED;
            }, "the replica's circuit closed again");
        }

        origin.respond("/after", Response.ok("after").header("Cache-Control", "public, max-age=3600"));
        assertEquals("MISS", Deployment.get(a.port(), "/after").header("X-Cache"));
        Await.until(() -> "HIT".equals(Deployment.get(b.port(), "/after").header("X-Cache")),
                "the other replica's fill is in Redis again");
        assertEquals(1, origin.hits("/after"), "one fetch for the deployment");
    }
}
