package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.TestRedis;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on memory over real Redis, plus the L1 bound that keeps replicas in step. */
class TieredStoreTest extends CacheStoreContract {

    static final Duration BOUND = Duration.ofSeconds(1);

    static TestRedis redis;

    MutableClock clock;
    MemoryStore l1;
    RedisStore l2;
    TieredStore tiered;

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        redis.flush();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        l1 = new MemoryStore(1 << 20, clock);
        l2 = new RedisStore(redis.client(), "orc:v1:");
        tiered = new TieredStore(l1, l2, BOUND);
    }

    @Override
    CacheStore store() {
        return tiered;
    }

    @Test
    void aReadFillsL1FromL2WithinTheBound() {
        put(l2, "k", new byte[] {1}, MINUTE);

        assertArrayEquals(new byte[] {1}, get(tiered, "k").orElseThrow().value());
        assertTrue(get(l1, "k").orElseThrow().ttl().compareTo(BOUND) <= 0);
    }

    @Test
    void concurrentMissesOnOneKeyReadL2Once() {
        // L2 here is a real memory store behind a gate the test opens: every read waits until then.
        MemoryStore backing = new MemoryStore(1 << 20, clock);
        put(backing, "hot", new byte[] {9}, MINUTE);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger reads = new AtomicInteger();
        CacheStore gated = new FailOpenStoreTest.Counting(backing, reads) {
            @Override
            public Uni<Optional<Entry>> get(String key) {
                return Uni.createFrom().completionStage(gate).chain(() -> super.get(key));
            }
        };
        TieredStore store = new TieredStore(new MemoryStore(1 << 20, clock), gated, BOUND);

        var pending = new ArrayList<CompletableFuture<Optional<CacheStore.Entry>>>();
        for (int i = 0; i < 20; i++) {
            pending.add(store.get("hot").subscribeAsCompletionStage());
        }
        gate.complete(null);

        for (var p : pending) {
            assertArrayEquals(new byte[] {9}, p.join().orElseThrow().value());
        }
        assertEquals(1, reads.get());
    }

    @Test
    void anL1CopyNeverOutlivesItsEntry() {
        put(tiered, "k", new byte[] {1}, Duration.ofMillis(300));
        assertTrue(get(l1, "k").orElseThrow().ttl().compareTo(Duration.ofMillis(300)) <= 0);
    }

    @Test
    void aNewerVersionFromAnotherReplicaIsSeenOnceTheBoundHasPassed() {
        TieredStore otherReplica = new TieredStore(new MemoryStore(1 << 20, clock), new RedisStore(redis.client(), "orc:v1:"), BOUND);
        put(otherReplica, "k", new byte[] {1}, MINUTE);
        assertArrayEquals(new byte[] {1}, get(tiered, "k").orElseThrow().value());

        put(otherReplica, "k", new byte[] {2}, MINUTE);
        assertArrayEquals(new byte[] {1}, get(tiered, "k").orElseThrow().value(), "within the bound: the L1 copy");
        clock.advance(BOUND);
        assertArrayEquals(new byte[] {2}, get(tiered, "k").orElseThrow().value(), "after it: the newer version");
    }

    @Test
    void aReadOvertakenByAnEvictionDoesNotPutItsOlderValueBackIntoL1() {
        MemoryStore backing = new MemoryStore(1 << 20, clock);
        put(backing, "k", new byte[] {1}, MINUTE);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CacheStore gated = new FailOpenStoreTest.Counting(backing, new AtomicInteger()) {
            @Override
            public Uni<Optional<Entry>> get(String key) {
                Uni<Optional<Entry>> value = super.get(key); // read now: the version before the eviction
                return Uni.createFrom().completionStage(gate).chain(() -> value);
            }
        };
        MemoryStore local = new MemoryStore(1 << 20, clock);
        TieredStore store = new TieredStore(local, gated, BOUND);
        var inFlight = store.get("k").subscribeAsCompletionStage();

        put(backing, "k", new byte[] {2}, MINUTE); // another replica wrote a newer version and said so
        store.evictLocal("k");
        gate.complete(null);

        assertArrayEquals(new byte[] {1}, inFlight.join().orElseThrow().value(), "its caller asked before the eviction");
        assertTrue(get(local, "k").isEmpty(), "the older value did not go back into L1");
        assertArrayEquals(new byte[] {2}, get(store, "k").orElseThrow().value());
    }
}
