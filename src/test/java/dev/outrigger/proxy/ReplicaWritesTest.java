package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.DelegatingStore;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas wired as Producers wires a pod (each write announced in the transaction that makes it), on a clock
 * that stands still: a copy held in memory is used without asking Redis for its whole L1 bound, so only the
 * other replica's write announcement can make it see a newer version.
 */
class ReplicaWritesTest {

    TestRedis redis;
    OriginServer origin;
    Deployment deployment;
    MutableClock clock;
    TestProxy a;
    TestProxy b;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start();
        origin = OriginServer.start();
        deployment = new Deployment(redis, origin);
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        // a fetches alone (no coalescing): no lease, so no fill signal of a flight tells b anything either
        CoalesceSettings d = CoalesceSettings.DEFAULT;
        a = deployment.replica(clock, new CoalesceSettings(false, d.leaseTtl(), d.waitTimeout(), d.hitForMiss(),
                d.earlyRefreshBeta(), d.staleWhileLease(), d.random()), CacheSettings.DEFAULT);
        b = deployment.replica(clock, CoalesceSettings.DEFAULT, CacheSettings.DEFAULT);
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
        redis.close();
    }

    @Test
    void aNewerVersionOneReplicaStoresReplacesTheOthersCopyThroughItsAnnouncement() throws Exception {
        origin.respond("/p", Response.ok("v1").header("Cache-Control", "public, max-age=3600"));
        assertEquals("MISS", Deployment.get(a.port(), "/p").header("X-Cache"));
        Await.until(() -> "HIT".equals(Deployment.get(b.port(), "/p").header("X-Cache")), "b holds the copy a stored");

        // a tenth of the bound later: a new fetch has new times (what a copy's confirmation compares), b's copy is
        // still to be used unasked
        clock.advance(Duration.ofMillis(100));
        origin.respond("/p", Response.ok("v2").header("Cache-Control", "public, max-age=3600"));
        assertEquals("v2", Deployment.get(a.port(), "/p", "Cache-Control: no-cache").text(), "a fetched and stored v2");

        Await.until(() -> "v2".equals(Deployment.get(b.port(), "/p").text()), Duration.ofSeconds(5),
                () -> "b confirms its copy once a's write is announced");
        assertEquals(2, origin.hits("/p"));
    }

    @Test
    void aRemovalWhoseDeleteNeverReachedRedisIsNotUndoneOnAnotherReplica() throws Exception {
        // c's deletes never reach Redis (as when its circuit is open or the call times out); its announcements do
        var pod = deployment.pod();
        TestProxy c = deployment.replica(clock, CoalesceSettings.DEFAULT, CacheSettings.DEFAULT, pod, new FailOpenStore(
                new DelegatingStore(deployment.redisStore(pod)) {
                    @Override
                    public Uni<Boolean> remove(String key) {
                        return Uni.createFrom().failure(new IllegalStateException("the DEL was lost"));
                    }
                }, Duration.ofSeconds(5), Duration.ofSeconds(5), 2, Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE));
        origin.respond("/q", Response.ok("v1").header("Cache-Control", "public, max-age=3600"));
        assertEquals("MISS", Deployment.get(c.port(), "/q").header("X-Cache"));
        Await.until(() -> "HIT".equals(Deployment.get(b.port(), "/q").header("X-Cache")), "b holds the copy c stored");
        clock.advance(Duration.ofMillis(100));

        origin.respond("/q", Response.ok("v2").header("Cache-Control", "public, max-age=3600"));
        try (RawHttp client = RawHttp.connect(c.port())) {
            assertEquals(200, client.exchange("POST /q HTTP/1.1\nHost: " + Deployment.HOST + "\nContent-Length: 0\n\n").status());
        }

        Await.until(() -> "v2".equals(Deployment.get(b.port(), "/q").text()), Duration.ofSeconds(5),
                () -> "b drops its copy on c's announcement and does not take the old response back from Redis");
    }
}
