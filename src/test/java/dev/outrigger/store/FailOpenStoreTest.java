package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.store.FailOpenStore.State;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.RedisServer;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real Redis that dies, stalls and comes back: the cache degrades to misses and recovers by itself. */
class FailOpenStoreTest {

    static final Duration OPEN_FOR = Duration.ofSeconds(5);
    static final Duration WAIT = Duration.ofSeconds(5);

    TestRedis redis;
    RedisServer server;
    MutableClock clock;
    AtomicInteger calls;
    FailOpenStore store;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start("--enable-debug-command", "yes"); // DEBUG SLEEP stalls it on demand
        server = redis.server();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        calls = new AtomicInteger();
        store = new FailOpenStore(new Counting(new RedisStore(redis.client(), "orc:v1:"), calls), Duration.ofMillis(200),
                Duration.ofMillis(500), 3, OPEN_FOR, clock, FailOpenStore.Listener.NONE);
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    /** Calls a dead Redis until the circuit opens: three failures in a row that have gone on for 250 ms. */
    void failUntilOpen() throws InterruptedException {
        Await.until(() -> {
            get("k");
            return store.state() == State.OPEN;
        }, "failures in a row opened the circuit");
    }

    @Test
    void failuresInARowAtOneMomentDoNotOpenTheCircuitTheyMustGoOn() throws Exception {
        server.kill();
        for (int i = 0; i < 10; i++) { // refused at once: ten failures within a few milliseconds
            get("k");
        }
        assertEquals(State.CLOSED, store.state(), "a burst of failures (a JVM pause, a cold start) is not a failing store");
        failUntilOpen();
    }

    Optional<CacheStore.Entry> get(String key) {
        return store.get(key).await().atMost(WAIT);
    }

    @Test
    void withRedisDownReadsAreMissesAndWritesAreDropped() {
        server.kill();

        assertEquals(Optional.empty(), get("k"));
        store.put("k", new byte[] {1}, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertEquals(false, store.remove("k").await().atMost(WAIT));
    }

    @Test
    void theWarmUpCallIsAllowedItsOwnPatienceAndNeverCountsAgainstTheStore() {
        // Redis stalled for longer than a read's deadline: the warm-up waits it out
        redis.client().send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.DEBUG)
                .arg("SLEEP").arg("0.5")).subscribe().with(r -> { }, f -> { });
        store.warmUp(Duration.ofSeconds(5)).await().atMost(WAIT);
        assertEquals(1, calls.get());

        server.kill();
        for (int i = 0; i < 3; i++) {
            store.warmUp(Duration.ofMillis(100)).await().atMost(WAIT); // completes, failing or not
        }
        assertEquals(State.CLOSED, store.state(), "warm-up calls are not counted: only requests' calls open the circuit");
    }

    @Test
    void theCircuitOpensAfterConsecutiveFailuresAndStopsCallingRedis() throws Exception {
        server.kill();
        failUntilOpen();
        assertEquals(State.OPEN, store.state());

        int before = calls.get();
        get("k");
        assertEquals(before, calls.get(), "an open circuit does not call the store");
    }

    @Test
    void aProbeAfterTheOpenPeriodClosesTheCircuitOnceRedisIsBack() throws Exception {
        server.kill();
        failUntilOpen();
        server.restart();
        clock.advance(OPEN_FOR);

        store.put("k", new byte[] {7}, Duration.ofMinutes(1)).await().atMost(WAIT);
        assertEquals(State.CLOSED, store.state());
        assertArrayEquals(new byte[] {7}, get("k").orElseThrow().value());
    }

    @Test
    void aFailedProbeOpensTheCircuitAgain() throws Exception {
        server.kill();
        failUntilOpen();
        clock.advance(OPEN_FOR);

        get("k");
        assertEquals(State.OPEN, store.state());
    }

    @Test
    void aStalledRedisReadTimesOutIntoAMiss() throws Exception {
        store.put("k", new byte[] {1}, Duration.ofMinutes(1)).await().atMost(WAIT);
        // DEBUG SLEEP blocks the server itself: the next read cannot be answered within its deadline.
        CompletableFuture<Object> stall = CompletableFuture.supplyAsync(() -> {
            try {
                return Resp.once(server.port(), "DEBUG", "SLEEP", "1");
            } catch (Exception e) {
                return e;
            }
        });
        awaitBlocked();

        assertEquals(Optional.empty(), get("k"));
        assertEquals(State.CLOSED, store.state(), "one timeout does not open the circuit");
        stall.join();
    }

    @Test
    void aTimeoutWhileTheStoreAnswersOtherCallsIsOurOwnQueueingAndDoesNotOpenTheCircuit() {
        // One key's reads wait for a gate (as a reply stuck behind this process's own backlog would); reads of
        // another key keep being answered by the real Redis meanwhile.
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger slow = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CacheStore stuckOnOneKey = stuckOn("stuck", gate);
        FailOpenStore guarded = new FailOpenStore(stuckOnOneKey, Duration.ofMillis(500), Duration.ofMillis(500), 3, OPEN_FOR,
                clock, new FailOpenStore.Listener() {
                    @Override
                    public void failure(String operation, Throwable cause) {
                        failures.incrementAndGet();
                    }

                    @Override
                    public void stateChanged(State state) { }

                    @Override
                    public void slow(String operation) {
                        slow.incrementAndGet();
                    }
                });

        guarded.get("other").await().atMost(WAIT); // connected
        for (int i = 0; i < 5; i++) {
            var stuck = guarded.read("stuck").subscribeAsCompletionStage();
            // answered while the stuck read waits: the store is alive
            do {
                guarded.get("other").await().atMost(WAIT);
            } while (!stuck.isDone());
            assertTrue(stuck.isCompletedExceptionally(), "the stuck read ran out of time");
        }

        assertEquals(State.CLOSED, guarded.state());
        assertEquals(5, slow.get());
        assertEquals(0, failures.get());
        gate.complete(null);
    }

    @Test
    void onAnEventLoopACallQueuedBehindOurOwnBacklogIsGivenMoreTimeWhileTheStoreAnswersOthers() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CacheStore stuckOnOneKey = stuckOn("stuck", gate);
        FailOpenStore guarded = new FailOpenStore(stuckOnOneKey, Duration.ofMillis(200), Duration.ofMillis(500), 3, OPEN_FOR,
                clock, FailOpenStore.Listener.NONE);
        guarded.put("stuck", new byte[] {5}, Duration.ofMinutes(1)).await().atMost(WAIT);
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            CompletableFuture<Optional<CacheStore.Entry>> stuck = new CompletableFuture<>();
            long start = System.nanoTime();
            vertx.runOnContext(v -> guarded.read("stuck").subscribe().with(stuck::complete, stuck::completeExceptionally));
            // the store keeps answering past the read's deadline (200 ms), well within its patience (5 × 200 ms)
            do {
                guarded.get("other").await().atMost(WAIT);
            } while (System.nanoTime() - start < Duration.ofMillis(300).toNanos());
            gate.complete(null);

            assertArrayEquals(new byte[] {5}, stuck.get(5, java.util.concurrent.TimeUnit.SECONDS).orElseThrow().value(),
                    "answered late, but answered: not a miss");
            assertEquals(State.CLOSED, guarded.state());
        } finally {
            vertx.close();
        }
    }

    @Test
    void readTellsAnUnavailableStoreApartFromAMissingKey() {
        store.put("k", new byte[] {1}, Duration.ofMinutes(1)).await().atMost(WAIT); // connected
        assertEquals(Optional.empty(), store.read("absent").await().atMost(WAIT), "a miss");
        server.kill();

        var unavailable = store.read("absent").subscribeAsCompletionStage();
        var thrown = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class, unavailable::join);
        assertTrue(thrown.getCause() instanceof FailOpenStore.Unavailable, String.valueOf(thrown.getCause()));
    }

    /** The real Redis, except that reads of {@code stuckKey} wait for {@code gate}; the others are answered as usual. */
    CacheStore stuckOn(String stuckKey, CompletableFuture<Void> gate) {
        return new Counting(new RedisStore(redis.client(), "orc:v1:"), calls) {
            @Override
            public Uni<Optional<Entry>> get(String key) {
                // a stage of its own per read: a timed-out read cancels it, not the gate
                return key.equals(stuckKey) ? Uni.createFrom().completionStage(gate.thenApply(x -> x)).chain(() -> super.get(key))
                        : super.get(key);
            }
        };
    }

    /** Waits, bounded, until the server stops answering (the DEBUG SLEEP has started). */
    private void awaitBlocked() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            CompletableFuture<Object> ping = CompletableFuture.supplyAsync(() -> {
                try {
                    return Resp.once(server.port(), "PING");
                } catch (Exception e) {
                    return e;
                }
            });
            try {
                ping.get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException blocked) {
                return;
            }
        }
        throw new AssertionError("redis never stalled");
    }

    /** Counts the calls that reach the wrapped store (the store itself is real). */
    static class Counting implements CacheStore {
        private final CacheStore delegate;
        private final AtomicInteger calls;

        Counting(CacheStore delegate, AtomicInteger calls) {
            this.delegate = delegate;
            this.calls = calls;
        }

        @Override
        public Uni<Optional<Entry>> get(String key) {
            calls.incrementAndGet();
            return delegate.get(key);
        }

        @Override
        public Uni<Void> put(String key, byte[] value, Duration ttl) {
            calls.incrementAndGet();
            return delegate.put(key, value, ttl);
        }

        @Override
        public Uni<Boolean> remove(String key) {
            calls.incrementAndGet();
            return delegate.remove(key);
        }
    }
}
