package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.store.CacheStore.Entry;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheStore} must do (DESIGN rule 5): memory, Redis, Redis Cluster and tiered stores
 * each extend this and supply an empty store.
 */
abstract class CacheStoreContract {

    /** The store under test, empty. */
    abstract CacheStore store();

    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration WAIT = Duration.ofSeconds(5);

    static Optional<Entry> get(CacheStore s, String key) {
        return s.get(key).await().atMost(WAIT);
    }

    static void put(CacheStore s, String key, byte[] value, Duration ttl) {
        s.put(key, value, ttl).await().atMost(WAIT);
    }

    @Test
    void aMissingKeyIsEmpty() {
        assertTrue(get(store(), "absent").isEmpty());
    }

    @Test
    void aStoredValueComesBackByteForByte() {
        CacheStore s = store();
        byte[] value = new byte[70_000];
        new Random(7).nextBytes(value);
        put(s, "k", value, MINUTE);
        assertArrayEquals(value, get(s, "k").orElseThrow().value());
    }

    @Test
    void aPutReplacesTheValue() {
        CacheStore s = store();
        put(s, "k", new byte[] {1}, MINUTE);
        put(s, "k", new byte[] {2}, MINUTE);
        assertArrayEquals(new byte[] {2}, get(s, "k").orElseThrow().value());
    }

    @Test
    void removeReportsWhetherSomethingWasRemoved() {
        CacheStore s = store();
        put(s, "k", new byte[] {1}, MINUTE);
        assertTrue(s.remove("k").await().atMost(WAIT));
        assertFalse(s.remove("k").await().atMost(WAIT));
        assertTrue(get(s, "k").isEmpty());
    }

    @Test
    void theRemainingTimeToLiveIsReportedAndNeverMoreThanGiven() {
        // A tiered store may report less (its L1 copy's bound), never more.
        CacheStore s = store();
        put(s, "k", new byte[] {1}, Duration.ofSeconds(10));
        Duration ttl = get(s, "k").orElseThrow().ttl();
        assertTrue(ttl.compareTo(Duration.ofSeconds(10)) <= 0 && ttl.isPositive(), ttl.toString());
    }

    @Test
    void aZeroTimeToLiveStoresNothing() {
        CacheStore s = store();
        put(s, "k", new byte[] {1}, MINUTE);
        put(s, "k", new byte[] {2}, Duration.ZERO);
        assertTrue(get(s, "k").isEmpty());
    }

    @Test
    void readHeadGivesTheLeadingBytesAndTheTimeToLive() {
        put(store(), "k", new byte[] {1, 2, 3, 4, 5}, MINUTE);

        Entry head = store().readHead("k", 3).await().atMost(WAIT).orElseThrow();
        assertArrayEquals(new byte[] {1, 2, 3}, head.value());
        assertTrue(head.ttl().isPositive() && head.ttl().compareTo(MINUTE) <= 0, head.ttl().toString());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, store().readHead("k", 10).await().atMost(WAIT).orElseThrow().value(),
                "a shorter value comes whole");
        assertFalse(store().readHead("absent", 3).await().atMost(WAIT).isPresent());
    }

    @Test
    void readHeadsAnswersEveryKeyInItsOrder() {
        CacheStore s = store();
        put(s, "a", new byte[] {1, 2, 3, 4}, MINUTE);
        put(s, "c", new byte[] {9}, MINUTE);

        java.util.List<Optional<Entry>> heads = s.readHeads(java.util.List.of("a", "b", "c", "a"), 2).await().atMost(WAIT);
        org.junit.jupiter.api.Assertions.assertEquals(4, heads.size(), heads.toString());
        assertArrayEquals(new byte[] {1, 2}, heads.get(0).orElseThrow().value());
        assertFalse(heads.get(1).isPresent(), "absent");
        assertArrayEquals(new byte[] {9}, heads.get(2).orElseThrow().value(), "a shorter value comes whole");
        assertArrayEquals(new byte[] {1, 2}, heads.get(3).orElseThrow().value(), "a key named twice is answered twice");
        assertTrue(heads.get(0).orElseThrow().ttl().isPositive());
        assertTrue(s.readHeads(java.util.List.of(), 2).await().atMost(WAIT).isEmpty());
    }

    @Test
    void keysAreIndependent() {
        CacheStore s = store();
        put(s, "a", new byte[] {1}, MINUTE);
        put(s, "b", new byte[] {2}, MINUTE);
        s.remove("a").await().atMost(WAIT);
        assertArrayEquals(new byte[] {2}, get(s, "b").orElseThrow().value());
    }
}
