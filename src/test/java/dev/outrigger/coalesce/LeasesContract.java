package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Held;
import dev.outrigger.coalesce.Leases.Signal;
import dev.outrigger.testsupport.Await;
import io.vertx.mutiny.redis.client.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every shared lease store must do; runs against a real Redis server and a real Redis Cluster. */
abstract class LeasesContract {

    static final Duration TTL = Duration.ofSeconds(10);
    final List<RedisLeases> pods = new CopyOnWriteArrayList<>();
    /**
     * A deployment of its own per test (its own signal channel): in a Redis Cluster a signal reaches the
     * nodes other than the one it was published on over the cluster bus, at times tens of milliseconds
     * later, so an earlier test's signals could otherwise still arrive at this test's pods.
     */
    final String prefix = "orc:" + UUID.randomUUID().toString().substring(0, 8) + ":";

    abstract Redis client();

    /** A pod's leases, once Redis has confirmed its signal subscription. */
    RedisLeases pod() {
        RedisLeases leases = new RedisLeases(client(), prefix, TTL, Duration.ofSeconds(1), Duration.ofSeconds(1)).start();
        pods.add(leases);
        leases.whenListening().await().atMost(Duration.ofSeconds(5));
        return leases;
    }

    @AfterEach
    void closePods() {
        pods.forEach(RedisLeases::close);
    }

    static Leases.Grant acquire(Leases leases, String key) {
        return leases.acquire(key).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void theFirstToAskGetsTheLeaseAndOthersSeeHowLongItHasLeft() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();

        assertInstanceOf(Acquired.class, acquire(a, "shop /p/1"));
        Held held = assertInstanceOf(Held.class, acquire(b, "shop /p/1"));

        assertTrue(held.remaining().compareTo(Duration.ZERO) > 0 && held.remaining().compareTo(TTL) <= 0, held.toString());
        assertInstanceOf(Acquired.class, acquire(b, "shop /p/2"), "leases are per key");
    }

    @Test
    void releasingFreesTheKeyForTheNextHolder() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        Acquired lease = assertInstanceOf(Acquired.class, acquire(a, "shop /p/1"));

        a.release("shop /p/1", lease.token(), Signal.FILLED).await().atMost(Duration.ofSeconds(5));

        assertInstanceOf(Acquired.class, acquire(b, "shop /p/1"));
    }

    @Test
    void aReleaseWithAnotherTokenLeavesTheHoldersLeaseInPlace() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        assertInstanceOf(Acquired.class, acquire(a, "shop /p/1"));

        b.release("shop /p/1", "not-the-token", Signal.FAILED).await().atMost(Duration.ofSeconds(5));

        assertInstanceOf(Held.class, acquire(b, "shop /p/1"));
    }

    @Test
    void onlyTheHoldersTokenExtendsTheLease() throws Exception {
        RedisLeases a = pod();
        RedisLeases shortLived = new RedisLeases(client(), prefix, Duration.ofMillis(300), Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        Acquired lease = assertInstanceOf(Acquired.class, acquire(shortLived, "shop /p/1"));

        a.extend("shop /p/1", "not-the-token").await().atMost(Duration.ofSeconds(5));
        Held before = assertInstanceOf(Held.class, acquire(a, "shop /p/1"));
        assertTrue(before.remaining().toMillis() <= 300, "another token did not extend it: " + before);
        a.extend("shop /p/1", lease.token()).await().atMost(Duration.ofSeconds(5)); // a's TTL is 10 s

        Held after = assertInstanceOf(Held.class, acquire(a, "shop /p/1"));
        assertTrue(after.remaining().toMillis() > 300, "the holder's token extended it: " + after);
    }

    @Test
    void aReleaseTellsEveryPodWhatBecameOfTheFetchItselfIncluded() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.listen((s, k, own) -> heardByA.add(s + " " + k + (own ? " (own)" : "")));
        b.listen((s, k, own) -> heardByB.add(s + " " + k + (own ? " (own)" : "")));
        Acquired lease = assertInstanceOf(Acquired.class, acquire(a, "shop /a b?c=d e"));

        a.release("shop /a b?c=d e", lease.token(), Signal.UNSHAREABLE).await().atMost(Duration.ofSeconds(5));

        Await.until(() -> !heardByA.isEmpty() && !heardByB.isEmpty(), Duration.ofSeconds(5),
                () -> "both pods heard it: " + heardByA + " " + heardByB);
        assertEquals(List.of("UNSHAREABLE shop /a b?c=d e"), heardByB, "keys with spaces arrive whole");
        assertEquals(List.of("UNSHAREABLE shop /a b?c=d e (own)"), heardByA);
    }

    @Test
    void aWriteIsAnnouncedToTheOtherPodsOnly() throws Exception {
        RedisLeases a = pod();
        RedisLeases b = pod();
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.listen((s, k, own) -> heardByA.add(s + " " + k));
        b.listen((s, k, own) -> heardByB.add(s + " " + k));

        a.announce("shop /p/1", Signal.OVERWRITTEN).await().atMost(Duration.ofSeconds(5));
        a.announce("shop /p/3", Signal.REMOVED).await().atMost(Duration.ofSeconds(5));
        Acquired lease = assertInstanceOf(Acquired.class, acquire(a, "shop /p/2"));
        a.release("shop /p/2", lease.token(), Signal.FILLED).await().atMost(Duration.ofSeconds(5));

        Await.until(() -> !heardByA.isEmpty() && heardByB.size() >= 3, Duration.ofSeconds(5),
                () -> "the signals arrived: " + heardByA + " " + heardByB);
        // In a cluster the announcement (a PUBLISH, sent to any node) and the release (published by a
        // script on the lease key's node) reach a third node over different links: no order between them.
        assertEquals(Set.of("OVERWRITTEN shop /p/1", "REMOVED shop /p/3", "FILLED shop /p/2"), Set.copyOf(heardByB));
        assertEquals(3, heardByB.size(), heardByB.toString());
        assertEquals(List.of("FILLED shop /p/2"), heardByA, "a pod does not hear its own writes");
    }
}
