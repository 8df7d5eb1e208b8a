package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on the in-process store, plus what only it does: clock-driven expiry and a byte bound. */
class MemoryStoreTest extends CacheStoreContract {

    MutableClock clock;
    MemoryStore store;

    @BeforeEach
    void fresh() {
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        store = new MemoryStore(1 << 20, clock);
    }

    @Override
    CacheStore store() {
        return store;
    }

    @Test
    void aValueExpiresWhenTheClockPassesItsTimeToLive() {
        put(store, "short", new byte[] {1}, Duration.ofSeconds(10));
        put(store, "long", new byte[] {2}, Duration.ofSeconds(100));
        clock.advance(Duration.ofSeconds(11));

        assertTrue(get(store, "short").isEmpty());
        assertArrayEquals(new byte[] {2}, get(store, "long").orElseThrow().value());
    }

    @Test
    void theRemainingTimeToLiveFollowsTheClock() {
        put(store, "k", new byte[] {1}, Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(4));
        assertEquals(Duration.ofSeconds(6), get(store, "k").orElseThrow().ttl());
    }

    @Test
    void holdsNoMoreBytesThanItsBound() {
        for (int i = 0; i < 100; i++) {
            put(store, "k" + i, new byte[64 * 1024], MINUTE);
        }
        assertTrue(store.weightedSize() <= 1 << 20, "weighted size " + store.weightedSize());
    }
}
