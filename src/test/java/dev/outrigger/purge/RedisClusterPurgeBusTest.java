package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.TestRedisCluster;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Purges through a real three-node Redis Cluster: broadcast across nodes, records read by a late replica. */
class RedisClusterPurgeBusTest {

    static TestRedisCluster cluster;
    static Vertx vertx;
    final List<RedisPurgeBus> buses = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = TestRedisCluster.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
        cluster.close();
    }

    @BeforeEach
    void flush() throws Exception {
        cluster.flush();
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(RedisPurgeBus::close);
    }

    RedisPurgeBus replica() throws InterruptedException {
        Purges purges = new Purges(Clock.systemUTC(), Duration.ofMillis(100), Duration.ofDays(7));
        RedisPurgeBus bus = new RedisPurgeBus(cluster.client(), purges, "orc:v1:", "outrigger:invalidate",
                Duration.ofSeconds(10), Duration.ofSeconds(5), vertx, Clock.systemUTC(), PurgeBus.Listener.NONE).start();
        buses.add(bus);
        Await.until(bus::ready, "subscribed and synced");
        return bus;
    }

    @Test
    void aPurgeReachesEveryReplicaAndOneStartedLaterReadsIt() throws Exception {
        RedisPurgeBus a = replica();
        RedisPurgeBus b = replica();
        Instant before = Instant.now().minusSeconds(1);

        a.purge(new Purge(List.of("/p/1"), List.of("product-1"), List.of(), false, false, 0))
                .await().atMost(Duration.ofSeconds(5));

        Await.until(() -> b.purges().size() == 2, "the other replica heard it");
        RedisPurgeBus late = replica();
        assertEquals(2, late.purges().size(), "read from the sorted set at start");
        assertEquals(Purges.Verdict.HARD, late.purges().check("h", "/x", List.of("product-1"), before));
        assertEquals(Purges.Verdict.HARD, b.purges().check("h", "/p/1", List.of(), before));
    }
}
