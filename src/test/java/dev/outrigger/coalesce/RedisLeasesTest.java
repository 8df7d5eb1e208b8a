package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.coalesce.Leases.Local;
import dev.outrigger.coalesce.Leases.Signal;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.mutiny.redis.client.Redis;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease contract on a real redis-server. */
class RedisLeasesTest extends LeasesContract {

    static TestRedis redis;

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        if (!redis.server().running()) {
            redis.server().restart();
        }
        redis.flush();
    }

    @Override
    Redis client() {
        return redis.client();
    }

    @Test
    void withRedisDownAcquiringAnswersLocalAndKeepsDoingSoWithoutAsking() throws Exception {
        RedisLeases a = pod();
        redis.server().kill();

        assertInstanceOf(Local.class, acquire(a, "shop /p/1"));
        redis.server().restart();
        // within the backoff Redis is not asked again, even though it is back
        assertInstanceOf(Local.class, a.acquire("shop /p/1").await().atMost(Duration.ofMillis(100)));
    }

    /** Records what a pod hears, heartbeats included, in order. */
    static Leases.Listener recording(List<String> heard) {
        return new Leases.Listener() {
            @Override
            public void heard(Signal signal, String key, boolean fromThisPod) {
                heard.add(signal + " " + key);
            }

            @Override
            public void caughtUp(long stamp) {
                heard.add("caught up " + stamp);
            }

            @Override
            public void announcementsLost() {
                heard.add("announcements lost");
            }
        };
    }

    @Test
    void aHeartbeatComesBackToItsSenderAloneAfterEverySignalSentBeforeIt() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.listen(recording(heardByA));
        b.listen(recording(heardByB));
        assertTrue(a.heartbeats(), "one server hands out its messages in order");

        b.announce("shop /p/1", Signal.OVERWRITTEN).await().atMost(Duration.ofSeconds(5));
        a.heartbeat(42).await().atMost(Duration.ofSeconds(5));
        b.heartbeat(7).await().atMost(Duration.ofSeconds(5));

        Await.until(() -> heardByA.contains("caught up 42") && heardByB.contains("caught up 7"), Duration.ofSeconds(5),
                () -> "heard back: " + heardByA + " " + heardByB);
        assertEquals(List.of("OVERWRITTEN shop /p/1", "caught up 42"), heardByA, "the announcement sent before it came first");
        assertEquals(List.of("caught up 7"), heardByB, "another pod's heartbeat tells it nothing");
    }

    @Test
    void aPodWhoseAnnouncementFailedHasTheOthersConfirmEveryCopyOnceRedisTakesItsCatchUp() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        b.listen(recording(heardByB));

        // Redis takes no writes (PUBLISH included) for three times a's deadline; both pods stay subscribed
        client().send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.CLIENT)
                .arg("PAUSE").arg(3000).arg("WRITE")).await().atMost(Duration.ofSeconds(5));
        a.announce("shop /p/1", Signal.OVERWRITTEN).await().atMost(Duration.ofSeconds(5)); // times out
        a.announce("shop /p/2", Signal.OVERWRITTEN).await().atMost(Duration.ofSeconds(5)); // covered by the catch-up owed

        Await.until(() -> heardByB.contains("announcements lost"), Duration.ofSeconds(10),
                () -> "b was told to confirm every copy: " + heardByB);
        b.heartbeat(9).await().atMost(Duration.ofSeconds(5)); // sent after everything a sent
        Await.until(() -> heardByB.contains("caught up 9"), Duration.ofSeconds(5), heardByB::toString);
        assertTrue(!heardByB.contains("OVERWRITTEN shop /p/2"), "not sent while the catch-up was owed: " + heardByB);
    }
}
