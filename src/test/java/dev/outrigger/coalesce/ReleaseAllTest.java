package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Held;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * At shutdown a pod gives up the leases it still holds (Coalescer#releaseAll): a lead that never reported, as one
 * whose request was cut, would otherwise keep every other pod waiting out the lease. Real Redis, two pods.
 */
class ReleaseAllTest {

    @Test
    void aLeaseNobodyWillReleaseIsGivenUpAtShutdown() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (TestRedis redis = TestRedis.start()) {
            Duration ttl = Duration.ofSeconds(60); // only a release frees it within the test
            RedisLeases other = new RedisLeases(redis.client(), "orc:v1:", ttl, Duration.ofSeconds(5), Duration.ofSeconds(1)).start();
            RedisLeases mine = new RedisLeases(redis.client(), "orc:v1:", ttl, Duration.ofSeconds(5), Duration.ofSeconds(1)).start();
            Coalescer leaving = new Coalescer(vertx, mine, CoalesceSettings.DEFAULT.withLeaseTtl(ttl), Clock.systemUTC(),
                    CoalesceListener.NONE, LocalCopies.NONE);
            try {
                leaving.whenListening().await().atMost(Duration.ofSeconds(5));
                MissedSignalsTest.Recorder lead = new MissedSignalsTest.Recorder(); // takes the lead, never reports
                MissedSignalsTest.Recorder waiter = new MissedSignalsTest.Recorder();
                leaving.join("/hot", System.nanoTime(), lead);
                Await.until(() -> lead.lead != null, "the lead taken, with the lease");
                leaving.join("/hot", System.nanoTime(), waiter);
                assertInstanceOf(Held.class, other.acquire("/hot").await().atMost(Duration.ofSeconds(5)), "held by the leaving pod");

                leaving.releaseAll().await().atMost(Duration.ofSeconds(5));
                assertInstanceOf(Acquired.class, other.acquire("/hot").await().atMost(Duration.ofSeconds(5)),
                        "free for another pod at once");
                assertEquals(List.of("alone FAILED"), waiter.told, "this pod's waiter is let go");
                assertEquals(0, leaving.inFlight());
            } finally {
                leaving.close();
                other.close();
            }
        } finally {
            vertx.close();
        }
    }
}
