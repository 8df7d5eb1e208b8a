package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.coalesce.Leases.Local;
import dev.outrigger.coalesce.Leases.Signal;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.store.WriteSignals;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
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

    /** A pod named as its store is (see {@link WriteSignals}), once Redis has confirmed its subscription. */
    RedisLeases pod(WriteSignals named) {
        RedisLeases leases = new RedisLeases(client(), prefix, named, TTL, Duration.ofSeconds(1), Duration.ofSeconds(1)).start();
        pods.add(leases);
        leases.whenListening().await().atMost(Duration.ofSeconds(5));
        return leases;
    }

    @Test
    void aWriteAnnouncedByTheStoreIsHeardByTheOtherPodsAsTheirOwnSignalsAndIgnoredByItsWriter() throws Exception {
        WriteSignals named = WriteSignals.forNewPod(prefix);
        RedisLeases a = pod(named);
        RedisLeases b = pod();
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.listen(recording(heardByA));
        b.listen(recording(heardByB));
        RedisStore store = RedisStore.announcing(client(), prefix, named);

        store.put("shop /p/1", new byte[] {1}, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(5));
        assertTrue(store.remove("shop /p/1").await().atMost(Duration.ofSeconds(5)));
        a.heartbeat(1).await().atMost(Duration.ofSeconds(5));
        b.heartbeat(2).await().atMost(Duration.ofSeconds(5));

        Await.until(() -> heardByA.contains("caught up 1") && heardByB.contains("caught up 2"), Duration.ofSeconds(5),
                () -> "heard back: " + heardByA + " " + heardByB);
        assertEquals(List.of("OVERWRITTEN shop /p/1", "REMOVED shop /p/1", "caught up 2"), heardByB);
        assertEquals(List.of("caught up 1"), heardByA, "its own writes tell the writer nothing");
    }

    /**
     * The write's caller gives up on it (Redis paused for writes); the write lands later and its announcement goes
     * out with it, not lost with the caller's patience. (A pause holds every PUBLISH too, so this cannot tell an
     * announcement sent with the write from one sent separately after it: the ACL test in RedisStoreTest can.)
     */
    @Test
    void aWriteWhoseCallerGaveUpIsAnnouncedOnceItLands() throws Exception {
        WriteSignals named = WriteSignals.forNewPod(prefix);
        RedisLeases b = pod();
        RedisStore announcing = RedisStore.announcing(client(), prefix, named);
        List<String> heardByB = new CopyOnWriteArrayList<>();
        b.listen(new Leases.Listener() {
            @Override
            public void heard(Signal signal, String key, boolean fromThisPod) {
                // what the key holds when its announcement arrives (read at once, on the subscription's thread)
                announcing.get(key).subscribe().with(e -> heardByB.add(signal + " " + key + " holding "
                        + e.map(v -> java.util.Arrays.toString(v.value())).orElse("nothing")));
            }
        });
        announcing.put("shop /p/1", new byte[] {1}, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(5));
        FailOpenStore store = new FailOpenStore(announcing, Duration.ofSeconds(5), Duration.ofMillis(300), 5,
                Duration.ofSeconds(5), java.time.Clock.systemUTC(), FailOpenStore.Listener.NONE);
        Await.until(() -> heardByB.contains("OVERWRITTEN shop /p/1 holding [1]"), Duration.ofSeconds(5), heardByB::toString);
        heardByB.clear();

        // Redis takes no writes (PUBLISH included) until unpaused
        client().send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(60_000).arg("WRITE")).await().atMost(Duration.ofSeconds(5));
        try {
            store.put("shop /p/1", new byte[] {2}, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(5)); // gives up at 300 ms
            assertArrayEquals(new byte[] {1}, announcing.get("shop /p/1").await().atMost(Duration.ofSeconds(5)).orElseThrow().value(),
                    "not landed yet (reads are not paused)");
            assertEquals(List.of(), heardByB, "nor announced");
        } finally {
            client().send(Request.cmd(Command.CLIENT).arg("UNPAUSE")).await().atMost(Duration.ofSeconds(5));
        }
        Await.until(() -> !heardByB.isEmpty(), Duration.ofSeconds(10), () -> "announced once Redis took the write");
        assertEquals(List.of("OVERWRITTEN shop /p/1 holding [2]"), heardByB, "announced once, with the new value in place");
    }
}
