package dev.outrigger.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.coalesce.CoalesceListener;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.coalesce.LocalCopies;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.policy.Headers;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.StoredResponseCodec;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.DelegatingStore;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.TestRedis;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decoded copies in memory over a real Redis: the bound that keeps replicas in step, and copies that outlast an outage. */
class TieredResponsesTest {

    static final Duration BOUND = Duration.ofSeconds(1);
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration WAIT = Duration.ofSeconds(5);

    TestRedis redis;
    MutableClock clock;
    RedisStore l2;
    TieredResponses tiers;

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        l2 = new RedisStore(redis.client(), "orc:v1:");
        tiers = TieredResponses.over(l2, 1 << 20, BOUND, clock);
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    StoredResponse response(String body) {
        return new StoredResponse(200, Headers.of("Cache-Control", "max-age=60"), body.getBytes(StandardCharsets.UTF_8),
                clock.instant(), clock.instant());
    }

    static String body(Optional<Copy> copy) {
        return copy.map(c -> new String(((StoredResponse) c.value()).body(), StandardCharsets.UTF_8)).orElse("nothing");
    }

    Optional<Copy> get(TieredResponses t, String key) {
        return t.get(key).await().atMost(WAIT);
    }

    void putShared(String key, String body) {
        l2.put(key, StoredResponseCodec.encode(response(body)), MINUTE).await().atMost(WAIT);
    }

    @Test
    void aReadDecodesTheSharedCopyOnceAndPastTheBoundConfirmsItWhileUsingIt() throws Exception {
        putShared("k", "v1");

        assertEquals("v1", body(get(tiers, "k")));
        Copy held = tiers.now("k");
        assertNotNull(held, "held: used without asking");
        assertEquals(200, held.servable().policy.status(), "decoded, with the policy's view worked out");
        long confirmed = held.confirmedAt();
        clock.advance(BOUND);

        assertEquals("v1", body(Optional.ofNullable(tiers.now("k"))), "past the bound: still used at once");
        Await.until(() -> tiers.now("k").confirmedAt() > confirmed, "confirmed anew by the shared store");
    }

    @Test
    void aNewerVersionFromAnotherReplicaReplacesTheCopyOnceTheBoundHasPassed() throws Exception {
        TieredResponses otherReplica = TieredResponses.over(new RedisStore(redis.client(), "orc:v1:"), 1 << 20, BOUND, clock);
        otherReplica.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        assertEquals("v1", body(get(tiers, "k")));

        clock.advance(Duration.ofMillis(1)); // a later fetch: its times tell the versions apart
        otherReplica.put("k", response("v2"), MINUTE).await().atMost(WAIT);
        assertEquals("v1", body(get(tiers, "k")), "within the bound: the copy in memory");
        clock.advance(BOUND);
        get(tiers, "k"); // the first use past the bound has the copy confirmed
        Await.until(() -> body(get(tiers, "k")).equals("v2"), "the newer version replaces it");
    }

    @Test
    void anUnchangedCopyIsConfirmedWithoutReadingItsBody() throws Exception {
        AtomicInteger wholeReads = new AtomicInteger();
        TieredResponses store = TieredResponses.over(new Gated(l2, CompletableFuture.completedFuture(null), wholeReads), 1 << 20,
                BOUND, clock);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        long confirmed = store.now("k").confirmedAt();

        clock.advance(BOUND);
        store.now("k");
        Await.until(() -> store.now("k").confirmedAt() > confirmed, "confirmed");

        assertEquals(0, wholeReads.get(), "only its identity was read");
        assertEquals("v1", body(get(store, "k")));
    }

    @Test
    void aCopyUnconfirmedForTwiceTheBoundIsConfirmedBeforeItIsUsed() {
        TieredResponses otherReplica = TieredResponses.over(new RedisStore(redis.client(), "orc:v1:"), 1 << 20, BOUND, clock);
        tiers.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        clock.advance(Duration.ofMillis(1));
        otherReplica.put("k", response("v2"), MINUTE).await().atMost(WAIT); // its announcement never reached us

        clock.advance(BOUND.multipliedBy(2));
        assertNull(tiers.now("k"), "not used unasked");
        assertEquals("v2", body(get(tiers, "k")));
    }

    @Test
    void aCopyGoneFromTheSharedStoreIsDroppedOnceTheBoundHasPassed() throws Exception {
        tiers.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        l2.remove("k").await().atMost(WAIT); // another replica removed it

        clock.advance(BOUND);
        get(tiers, "k");
        Await.until(() -> tiers.now("k") == null, "dropped from memory");
        assertEquals("nothing", body(get(tiers, "k")));
    }

    @Test
    void aCopyIsServedForItsWholeLifeWhileTheSharedStoreCannotAnswer() throws Exception {
        FailOpenStore failOpen = new FailOpenStore(l2, Duration.ofMillis(500), Duration.ofMillis(500), 2,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
        TieredResponses store = TieredResponses.over(failOpen, 1 << 20, BOUND, clock);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        redis.server().kill();

        clock.advance(BOUND.multipliedBy(10));
        assertEquals("v1", body(get(store, "k")), "Redis down: the copy in memory");
        Await.until(() -> store.now("k").confirmedAt() == clock.millis(), "the confirmation failed; asked again a bound later");
        assertEquals("v1", body(get(store, "k")), "still the copy in memory");
        clock.advance(MINUTE);
        assertEquals("nothing", body(get(store, "k")), "not past the entry's own life");
    }

    @Test
    void anEntryNeverOutlivesItsTimeToLive() {
        tiers.put("k", response("v1"), Duration.ofMillis(300)).await().atMost(WAIT);
        assertNotNull(tiers.now("k"));
        clock.advance(Duration.ofMillis(300));
        assertNull(tiers.now("k"));
    }

    @Test
    void concurrentReadsOfOneKeyAskTheSharedStoreOnce() {
        putShared("hot", "v1");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger reads = new AtomicInteger();
        TieredResponses store = TieredResponses.over(new Gated(l2, gate, reads), 1 << 20, BOUND, clock);

        var pending = new ArrayList<CompletableFuture<Optional<Copy>>>();
        for (int i = 0; i < 20; i++) {
            pending.add(store.get("hot").subscribeAsCompletionStage());
        }
        gate.complete(null);

        for (var p : pending) {
            assertEquals("v1", body(p.join()));
        }
        assertEquals(1, reads.get());
    }

    @Test
    void aReadOvertakenByAnEvictionDoesNotPutItsOlderValueBackIntoMemory() {
        putShared("k", "v1");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        TieredResponses store = TieredResponses.over(new Gated(l2, gate, new AtomicInteger()) {
            @Override
            public Uni<Optional<Entry>> get(String key) {
                Optional<Entry> before = l2.get(key).await().atMost(WAIT); // read now: the version before the eviction
                return Uni.createFrom().completionStage(gate).map(x -> before);
            }
        }, 1 << 20, BOUND, clock);
        var inFlight = store.get("k").subscribeAsCompletionStage();

        putShared("k", "v2"); // another replica wrote a newer version and said so
        store.distrust("k");
        gate.complete(null);

        assertEquals("v1", body(inFlight.join()), "its caller asked before the eviction");
        assertNull(store.now("k"), "the older value did not go back into memory");
    }

    @Test
    void aCopyAnotherReplicaOverwroteIsConfirmedBeforeUseAndStillServedWhileRedisCannotAnswer() throws Exception {
        TieredResponses guarded = TieredResponses.over(new FailOpenStore(l2, Duration.ofMillis(200), Duration.ofMillis(200), 3,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE), 1 << 20, BOUND, clock);
        guarded.put("k", response("v1"), MINUTE).await().atMost(WAIT);

        guarded.distrust("k");
        assertNull(guarded.now("k"), "not used unasked any more");
        assertEquals("v1", body(get(guarded, "k")), "the shared store still holds that version: confirmed");
        assertNotNull(guarded.now("k"));

        guarded.distrust("k");
        redis.server().kill();
        assertEquals("v1", body(get(guarded, "k")), "Redis cannot say: the copy is what the pod has");
    }

    @Test
    void aDistrustThatArrivesWhileAConfirmationIsOnItsWayWins() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        TieredResponses store = TieredResponses.over(new DelegatingStore(l2) {
            @Override
            public Uni<Optional<Entry>> readHead(String key, int length) {
                return Uni.createFrom().completionStage(gate).chain(() -> l2.readHead(key, length)); // held until released
            }
        }, 1 << 20, BOUND, clock);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        clock.advance(BOUND);
        assertNotNull(store.now("k"), "past the bound: used while a confirmation is on its way");

        store.distrust("k"); // another replica wrote the key meanwhile
        CompletableFuture<Optional<Copy>> joined = store.get("k").subscribeAsCompletionStage();
        gate.complete(null);

        assertEquals("v1", body(joined.get(5, TimeUnit.SECONDS)), "the request that joined is answered");
        assertNull(store.now("k"), "a read begun before the distrust does not confirm the copy");
        assertEquals("v1", body(get(store, "k")), "a read begun after it does");
        assertNotNull(store.now("k"));
    }

    @Test
    void aCopyAnotherReplicaRemovedIsGoneAndNotServedWhileRedisCannotAnswer() throws Exception {
        TieredResponses guarded = TieredResponses.over(new FailOpenStore(l2, Duration.ofMillis(200), Duration.ofMillis(200), 3,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE), 1 << 20, BOUND, clock);
        guarded.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        l2.remove("k").await().atMost(WAIT); // another replica invalidated it (an unsafe method, a 304 that made it private)

        guarded.forget("k");
        redis.server().kill();
        assertEquals("nothing", body(get(guarded, "k")), "an invalidated response never comes back");
    }

    @Test
    void aRemovalWhoseDeleteNeverReachedTheSharedStoreIsNotUndoneByReadingTheOldResponseBack() throws Exception {
        putShared("k", "v1");
        assertEquals("v1", body(get(tiers, "k")));
        clock.advance(Duration.ofMillis(1));

        tiers.forget("k"); // another replica removed it, but its DEL never reached Redis (its circuit was open)
        assertEquals("nothing", body(get(tiers, "k")), "what was removed reads as absent, though Redis still holds it");

        clock.advance(Duration.ofMillis(1));
        putShared("k", "v2"); // fetched after the removal
        assertEquals("v2", body(get(tiers, "k")), "a response fetched since is read as ever");
    }

    @Test
    void aVariantOfARemovedUrlIsNotReadBackEither() throws Exception {
        String variant = Variants.variantKey("k", "0123456789abcdef0123456789abcdef");
        putShared(variant, "v1");
        putShared("other", "o1");
        clock.advance(Duration.ofMillis(1));

        tiers.forget("k"); // the URL's removal, whose DEL of its variant index never reached Redis
        assertEquals("nothing", body(get(tiers, variant)), "its variants were removed with it");
        assertEquals("o1", body(get(tiers, "other")));
    }

    /** A store that counts every question about a key's value or identity (a confirmation included). */
    static class Counting extends DelegatingStore {
        final AtomicInteger asked = new AtomicInteger();

        Counting(CacheStore delegate) {
            super(delegate);
        }

        @Override
        public Uni<Optional<Entry>> get(String key) {
            asked.incrementAndGet();
            return delegate.get(key);
        }

        @Override
        public Uni<Optional<Entry>> readHead(String key, int length) {
            asked.incrementAndGet();
            return delegate.readHead(key, length);
        }
    }

    /** A bound passes and the copies of {@code keys}, in use, are confirmed by a read of the shared store. */
    void readBack(TieredResponses t, String... keys) throws InterruptedException {
        clock.advance(BOUND);
        for (String key : keys) {
            assertNotNull(t.now(key), "past the bound: used while one background read confirms it");
        }
        Await.until(() -> Arrays.stream(keys).allMatch(k -> t.now(k).confirmedAt() == clock.millis()),
                "confirmed by a read");
    }

    @Test
    void heartbeatsHeardBackVouchForACopyWithoutAskingTheSharedStoreUntilItsOwnConfirmationIsDue() throws Exception {
        Counting counting = new Counting(l2);
        TieredResponses store = TieredResponses.over(counting, 1 << 20, BOUND, clock);
        List<Long> sent = new CopyOnWriteArrayList<>();
        store.heartbeatWith(stamp -> {
            sent.add(stamp);
            store.caughtUp(stamp); // heard back at once
        });
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        readBack(store, "k");
        assertEquals(1, counting.asked.get());

        clock.advance(BOUND.multipliedBy(5));
        assertNull(store.now("k"), "nothing heard back when it was looked up: asked about first");
        assertEquals("v1", body(Optional.ofNullable(store.now("k"))), "vouched for: used unasked past the bound");
        assertEquals("v1", body(Optional.ofNullable(store.now("k"))));
        assertEquals(List.of(clock.millis()), sent, "one heartbeat, not one per use");
        clock.advance(BOUND.dividedBy(2));
        assertEquals("v1", body(Optional.ofNullable(store.now("k"))));
        assertEquals(2, sent.size(), "the next one half a bound later, while the copy is in use");
        assertEquals(1, counting.asked.get(), "the shared store was not asked again");

        Copy held = store.now("k");
        long confirmed = held.confirmedAt();
        clock.advance(BOUND.multipliedBy(TieredResponses.COVERED_BOUNDS));
        assertNull(store.now("k"), "after a quiet spell: nothing heard back lately");
        assertSame(held, store.now("k"), "vouched for again, its own confirmation due: used while that is on its way");
        Await.until(() -> held.confirmedAt() > confirmed, "confirmed by the shared store itself");
        assertEquals(2, counting.asked.get());
    }

    @Test
    void aCopyThisPodWroteIsVouchedForOnlyOnceAReadHasConfirmedIt() {
        TieredResponses store = TieredResponses.over(l2, 1 << 20, BOUND, clock);
        store.heartbeatWith(store::caughtUp);
        TieredResponses otherReplica = TieredResponses.over(new RedisStore(redis.client(), "orc:v1:"), 1 << 20, BOUND, clock);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        clock.advance(Duration.ofMillis(1));
        // written after this pod's write, announced while its answer was on its way: a distrust with nothing to mark
        otherReplica.put("k", response("v2"), MINUTE).await().atMost(WAIT);

        clock.advance(BOUND.multipliedBy(5));
        store.now("k");
        assertNull(store.now("k"), "a heartbeat heard back, but no read has said this pod's write is still the current one");
        assertEquals("v2", body(get(store, "k")));
    }

    @Test
    void heartbeatsThatComeBackLateHaveCopiesConfirmedInTheBackgroundForAnotherBound() throws Exception {
        TieredResponses store = TieredResponses.over(l2, 1 << 20, BOUND, clock);
        AtomicBoolean hearing = new AtomicBoolean(true);
        store.heartbeatWith(stamp -> {
            if (hearing.get()) {
                store.caughtUp(stamp);
            }
        });
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        readBack(store, "k");
        clock.advance(BOUND.multipliedBy(5));
        store.now("k");
        Copy held = store.now("k");
        assertNotNull(held, "vouched for");
        long confirmed = held.confirmedAt();

        hearing.set(false);
        clock.advance(BOUND.plusMillis(1));
        assertSame(held, store.now("k"), "a heartbeat a bound late: used while one background read confirms it");
        Await.until(() -> held.confirmedAt() > confirmed, "confirmed by the shared store itself");
        clock.advance(BOUND.multipliedBy(2));
        assertNull(store.now("k"), "twice the bound after both: asked about before it is used");
    }

    @Test
    void aCopyDistrustedBeforeTheHeartbeatCameBackIsNotVouchedFor() throws Exception {
        TieredResponses store = TieredResponses.over(l2, 1 << 20, BOUND, clock);
        store.heartbeatWith(store::caughtUp);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        store.put("other", response("o1"), MINUTE).await().atMost(WAIT);
        readBack(store, "k", "other");
        store.distrust("k"); // another replica's announcement, heard before the heartbeat

        clock.advance(BOUND.multipliedBy(5));
        store.now("other"); // sends a heartbeat, heard back at once
        assertEquals("o1", body(Optional.ofNullable(store.now("other"))), "vouched for");
        assertNull(store.now("k"), "asked about before it is used");
    }

    @Test
    void aHeartbeatNotHeardBackVouchesForNothingAndIsNotSentAgainAtOnce() throws Exception {
        TieredResponses store = TieredResponses.over(l2, 1 << 20, BOUND, clock);
        List<Long> sent = new CopyOnWriteArrayList<>();
        store.heartbeatWith(sent::add); // lost on the way
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        readBack(store, "k");

        clock.advance(BOUND.multipliedBy(5));
        assertNull(store.now("k"), "not vouched for: asked about before it is used, as without heartbeats");
        assertNull(store.now("k"));
        assertEquals(1, sent.size(), "one heartbeat per half bound at most");
    }

    @Test
    void aCopyKeptThroughAnOutageIsNotVouchedForUntilTheSharedStoreConfirmsIt() throws Exception {
        FailOpenStore failOpen = new FailOpenStore(l2, Duration.ofMillis(500), Duration.ofMillis(500), 2,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
        TieredResponses store = TieredResponses.over(failOpen, 1 << 20, BOUND, clock);
        store.heartbeatWith(store::caughtUp);
        store.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        store.put("other", response("o1"), MINUTE).await().atMost(WAIT);
        readBack(store, "k", "other");
        store.distrust("k"); // another replica wrote a newer version
        redis.server().kill();

        clock.advance(BOUND.multipliedBy(5));
        assertEquals("v1", body(get(store, "k")), "Redis down: the copy is what the pod has");
        Await.until(() -> store.now("k") != null && store.now("k").confirmedAt() == clock.millis(), "asked again a bound later");
        clock.advance(BOUND.multipliedBy(2));
        store.now("other"); // sends a heartbeat, heard back at once
        assertEquals("o1", body(Optional.ofNullable(store.now("other"))), "vouched for: a read confirmed it before the outage");
        assertNull(store.now("k"), "the heartbeats do not vouch for a version the shared store never confirmed");
    }

    @Test
    void anAnnouncementSentBeforeAHeartbeatIsHeardBeforeIt() throws Exception {
        Vertx vertx = Vertx.vertx();
        RedisLeases here = new RedisLeases(redis.client(), "orc:v1:",
                MINUTE, WAIT, BOUND).start();
        RedisLeases there = new RedisLeases(redis.client(), "orc:v1:",
                MINUTE, WAIT, BOUND).start();
        BlockingQueue<Long> heardBack = new LinkedBlockingQueue<>();
        Coalescer coalescer = new Coalescer(vertx, here,
                CoalesceSettings.DEFAULT, clock, CoalesceListener.NONE,
                new LocalCopies() { // this replica's copies, recording the heartbeats heard back
                    @Override
                    public void distrust(String key) {
                        tiers.distrust(key);
                    }

                    @Override
                    public void forget(String key) {
                        tiers.forget(key);
                    }

                    @Override
                    public void distrustAll() {
                        tiers.distrustAll();
                    }

                    @Override
                    public void heartbeatWith(LongConsumer send) {
                        tiers.heartbeatWith(send);
                    }

                    @Override
                    public void caughtUp(long stamp) {
                        tiers.caughtUp(stamp);
                        heardBack.add(stamp);
                    }
                });
        try {
            coalescer.whenListening().await().atMost(WAIT);
            there.whenListening().await().atMost(WAIT);
            TieredResponses otherReplica = TieredResponses.over(new RedisStore(redis.client(), "orc:v1:"), 1 << 20, BOUND, clock);
            tiers.put("k", response("v1"), MINUTE).await().atMost(WAIT);
            tiers.put("unchanged", response("u1"), MINUTE).await().atMost(WAIT);
            readBack(tiers, "k", "unchanged");

            clock.advance(BOUND.multipliedBy(5));
            assertNull(tiers.now("k"), "no heartbeat heard back yet: asked about first");
            assertEquals(clock.millis(), heardBack.poll(5, TimeUnit.SECONDS), "heard back through Redis");
            assertEquals("v1", body(Optional.ofNullable(tiers.now("k"))), "vouched for now");

            clock.advance(Duration.ofMillis(1));
            otherReplica.put("k", response("v2"), MINUTE).await().atMost(WAIT);
            there.announce("k", Leases.Signal.OVERWRITTEN).await().atMost(WAIT);
            clock.advance(BOUND.dividedBy(2));
            assertEquals("u1", body(Optional.ofNullable(tiers.now("unchanged"))), "still vouched for, and it sends the next heartbeat");
            assertEquals(clock.millis(), heardBack.poll(5, TimeUnit.SECONDS));
            assertNull(tiers.now("k"), "the announcement came first: the copy is asked about, not vouched for");
            assertEquals("v2", body(get(tiers, "k")));
        } finally {
            coalescer.close();
            there.close();
            vertx.close();
        }
    }

    @Test
    void inMemoryAloneAMissIsKnownWithoutAskingAnyone() {
        TieredResponses memory = TieredResponses.memory(1 << 20, clock);
        assertSame(TieredResponses.ABSENT, memory.now("k"));

        memory.put("k", response("v1"), MINUTE).await().atMost(WAIT);
        memory.distrust("k"); // nothing else holds it: a signal from elsewhere cannot drop it
        assertEquals("v1", body(Optional.ofNullable(memory.now("k"))));
        assertTrue(memory.remove("k").await().atMost(WAIT).any());
        assertSame(TieredResponses.ABSENT, memory.now("k"));
    }

    /** A real store whose reads wait for a gate the test opens, counting them; confirmations (readHead) are not gated. */
    static class Gated extends DelegatingStore {
        final CompletableFuture<Void> gate;
        final AtomicInteger reads;

        Gated(CacheStore delegate, CompletableFuture<Void> gate, AtomicInteger reads) {
            super(delegate);
            this.gate = gate;
            this.reads = reads;
        }

        @Override
        public Uni<Optional<Entry>> get(String key) {
            reads.incrementAndGet();
            return Uni.createFrom().completionStage(gate).chain(() -> delegate.get(key));
        }
    }
}
