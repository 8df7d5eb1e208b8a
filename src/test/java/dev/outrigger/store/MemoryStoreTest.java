package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on the in-process store, plus its byte bound. */
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

    @Override
    void expire(Duration d) {
        clock.advance(d);
    }

    @Test
    void holdsNoMoreBytesThanItsBound() {
        for (int i = 0; i < 100; i++) {
            store.put("k" + i, new byte[64 * 1024], MINUTE).await().indefinitely();
        }
        assertTrue(store.weightedSize() <= 1 << 20, "weighted size " + store.weightedSize());
    }
}
