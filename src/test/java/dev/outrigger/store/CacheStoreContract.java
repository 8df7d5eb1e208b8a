package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheStore} must do (DESIGN rule 5): each implementation's test extends this and
 * supplies a fresh store. Expiry is checked by {@link #expire(Duration)}, which a store under a mutable
 * clock implements by moving the clock.
 */
abstract class CacheStoreContract {

    /** The store under test, empty. */
    abstract CacheStore store();

    /** Makes {@code d} pass for the store. */
    abstract void expire(Duration d) throws Exception;

    static final Duration MINUTE = Duration.ofMinutes(1);

    private static Optional<byte[]> get(CacheStore s, String key) {
        return s.get(key).await().atMost(Duration.ofSeconds(5));
    }

    private static void put(CacheStore s, String key, byte[] value, Duration ttl) {
        s.put(key, value, ttl).await().atMost(Duration.ofSeconds(5));
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
        assertArrayEquals(value, get(s, "k").orElseThrow());
    }

    @Test
    void aPutReplacesTheValue() {
        CacheStore s = store();
        put(s, "k", new byte[] {1}, MINUTE);
        put(s, "k", new byte[] {2}, MINUTE);
        assertArrayEquals(new byte[] {2}, get(s, "k").orElseThrow());
    }

    @Test
    void removeReportsWhetherSomethingWasRemoved() {
        CacheStore s = store();
        put(s, "k", new byte[] {1}, MINUTE);
        assertTrue(s.remove("k").await().atMost(Duration.ofSeconds(5)));
        assertFalse(s.remove("k").await().atMost(Duration.ofSeconds(5)));
        assertTrue(get(s, "k").isEmpty());
    }

    @Test
    void aValueExpiresAfterItsTimeToLive() throws Exception {
        CacheStore s = store();
        put(s, "short", new byte[] {1}, Duration.ofSeconds(10));
        put(s, "long", new byte[] {2}, Duration.ofSeconds(100));
        expire(Duration.ofSeconds(11));
        assertEquals(Optional.empty(), get(s, "short").map(b -> b.length));
        assertArrayEquals(new byte[] {2}, get(s, "long").orElseThrow());
    }

    @Test
    void keysAreIndependent() {
        CacheStore s = store();
        put(s, "a", new byte[] {1}, MINUTE);
        put(s, "b", new byte[] {2}, MINUTE);
        s.remove("a").await().atMost(Duration.ofSeconds(5));
        assertArrayEquals(new byte[] {2}, get(s, "b").orElseThrow());
    }
}
