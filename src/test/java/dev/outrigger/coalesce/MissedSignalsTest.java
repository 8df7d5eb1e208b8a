package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Signal;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pod whose signal subscription drops (on a real redis-server) misses what is published meanwhile:
 * once it is back, its local copies go and its waiters ask for the lease again.
 */
class MissedSignalsTest {

    static final Duration TTL = Duration.ofSeconds(30);
    static TestRedis redis;
    static Vertx vertx;

    RedisLeases holder;
    RedisLeases leases;
    Coalescer coalescer;
    final AtomicInteger droppedAll = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
        redis.close();
    }

    @BeforeEach
    void pods() throws Exception {
        redis.flush();
        // The other pod, holding the lease; and this pod, which comes back 2 s after a drop.
        holder = new RedisLeases(redis.client(), "orc:v1:", TTL, Duration.ofSeconds(5), Duration.ofSeconds(1)).start();
        leases = new RedisLeases(redis.client(), "orc:v1:", TTL, Duration.ofSeconds(5), Duration.ofSeconds(2)).start();
        coalescer = new Coalescer(vertx, leases, CoalesceSettings.DEFAULT, Clock.systemUTC(), new CoalesceListener() {
            @Override
            public void waiting() {
                waiting.incrementAndGet();
            }
        }, new LocalCopies() {
            @Override
            public void distrust(String key) { }

            @Override
            public void forget(String key) { }

            @Override
            public void distrustAll() {
                droppedAll.incrementAndGet();
            }
        });
        holder.whenListening().await().atMost(Duration.ofSeconds(5));
        coalescer.whenListening().await().atMost(Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        coalescer.close();
        holder.close();
    }

    /** What the coalescer told one request. */
    static final class Recorder implements Participant {
        final List<String> told = new CopyOnWriteArrayList<>();
        volatile Lead lead;

        @Override
        public void lead(Lead lead, boolean lookFirst) {
            this.lead = lead;
            told.add(lookFirst ? "lead, look first" : "lead");
        }

        @Override
        public void filled() {
            told.add("filled");
        }

        @Override
        public void alone(Alone why) {
            told.add("alone " + why);
        }

        @Override
        public boolean servedStale() {
            return false;
        }
    }

    /** A request of this pod waiting for the holder's fetch of {@code key}. */
    Recorder following(String key) throws Exception {
        Recorder r = new Recorder();
        coalescer.join(key, System.nanoTime(), r);
        Await.until(() -> waiting.get() == 1, "the request waits for the holder");
        return r;
    }

    /** Cuts every subscription; returns how often local copies had been dropped until then. */
    int dropSubscriptions() throws Exception {
        int before = droppedAll.get(); // the first subscription counts too: the pod may have served before it
        Resp.once(redis.server().port(), "CLIENT", "KILL", "TYPE", "pubsub");
        return before;
    }

    @Test
    void aFillMissedWhileTheSubscriptionWasDownIsFoundOnceItIsBack() throws Exception {
        Acquired lease = assertInstanceOf(Acquired.class, holder.acquire("shop /p/1").await().atMost(Duration.ofSeconds(5)));
        Recorder request = following("shop /p/1");

        int dropped = dropSubscriptions();
        // Published while this pod is not subscribed (it comes back 2 s later): lost for it.
        holder.release("shop /p/1", lease.token(), Signal.FILLED).await().atMost(Duration.ofSeconds(5));

        // Long before the lease's 30 s: the request takes the free lease and looks in the store first.
        Await.until(() -> !request.told.isEmpty(), Duration.ofSeconds(10), () -> "told: " + request.told);
        assertEquals(List.of("lead, look first"), request.told, "not 'filled': the signal was missed");
        assertEquals(dropped + 1, droppedAll.get(), "local copies dropped once the subscription was back");
        request.lead.filled();
    }

    @Test
    void aLeaseStillHeldAfterTheDropIsFollowedAgain() throws Exception {
        Acquired lease = assertInstanceOf(Acquired.class, holder.acquire("shop /p/2").await().atMost(Duration.ofSeconds(5)));
        Recorder request = following("shop /p/2");

        int dropped = dropSubscriptions();
        Await.until(() -> droppedAll.get() == dropped + 1 && waiting.get() == 2, "back, asked again, and waits again");
        holder.release("shop /p/2", lease.token(), Signal.FILLED).await().atMost(Duration.ofSeconds(5));

        Await.until(() -> !request.told.isEmpty(), Duration.ofSeconds(10), () -> "told: " + request.told);
        assertEquals(List.of("filled"), request.told);
    }
}
