package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.RedisServer;
import dev.outrigger.testsupport.Resp;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on memory over real Redis, plus the L1 bound that keeps replicas in step. */
class TieredStoreTest extends CacheStoreContract {

    static final Duration BOUND = Duration.ofSeconds(1);

    static RedisServer server;
    static Vertx vertx;
    static Redis client;

    MutableClock clock;
    MemoryStore l1;
    RedisStore l2;
    TieredStore tiered;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri()));
    }

    @AfterAll
    static void stop() {
        client.close();
        vertx.closeAndAwait();
        server.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        Resp.once(server.port(), "FLUSHALL");
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        l1 = new MemoryStore(1 << 20, clock);
        l2 = new RedisStore(client, "orc:v1:");
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
        java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        CacheStore gated = new FailOpenStoreTest.Counting(backing, reads) {
            @Override
            public io.smallrye.mutiny.Uni<java.util.Optional<Entry>> get(String key) {
                return io.smallrye.mutiny.Uni.createFrom().completionStage(gate).chain(() -> super.get(key));
            }
        };
        TieredStore store = new TieredStore(new MemoryStore(1 << 20, clock), gated, BOUND);

        var pending = new java.util.ArrayList<java.util.concurrent.CompletableFuture<java.util.Optional<CacheStore.Entry>>>();
        for (int i = 0; i < 20; i++) {
            pending.add(store.get("hot").subscribeAsCompletionStage());
        }
        gate.complete(null);

        for (var p : pending) {
            assertArrayEquals(new byte[] {9}, p.join().orElseThrow().value());
        }
        org.junit.jupiter.api.Assertions.assertEquals(1, reads.get());
    }

    @Test
    void anL1CopyNeverOutlivesItsEntry() {
        put(tiered, "k", new byte[] {1}, Duration.ofMillis(300));
        assertTrue(get(l1, "k").orElseThrow().ttl().compareTo(Duration.ofMillis(300)) <= 0);
    }

    @Test
    void aNewerVersionFromAnotherReplicaIsSeenOnceTheBoundHasPassed() {
        TieredStore otherReplica = new TieredStore(new MemoryStore(1 << 20, clock), new RedisStore(client, "orc:v1:"), BOUND);
        put(otherReplica, "k", new byte[] {1}, MINUTE);
        assertArrayEquals(new byte[] {1}, get(tiered, "k").orElseThrow().value());

        put(otherReplica, "k", new byte[] {2}, MINUTE);
        assertArrayEquals(new byte[] {1}, get(tiered, "k").orElseThrow().value(), "within the bound: the L1 copy");
        clock.advance(BOUND);
        assertArrayEquals(new byte[] {2}, get(tiered, "k").orElseThrow().value(), "after it: the newer version");
    }
}
