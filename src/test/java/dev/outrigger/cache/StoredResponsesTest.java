package dev.outrigger.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.coalesce.CoalesceListener;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.Headers;
import dev.outrigger.store.BatchedHeads;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.WriteSignals;
import dev.outrigger.testsupport.DelegatingStore;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invalidations of a pod wired as Producers wires one on a single Redis (its store announcing each write in the
 * transaction that makes it, behind the fail-open circuit and the batching of confirmations), over a real Redis: the other pods are told of a removal once, by the store when it
 * answered, by the remover's leases when it did not.
 */
class StoredResponsesTest {

    static final String PREFIX = "orc:v1:";
    static final Duration WAIT = Duration.ofSeconds(5);

    TestRedis redis;
    MutableClock clock;
    Vertx vertx;
    RedisLeases otherPod;
    final List<Pod> pods = new CopyOnWriteArrayList<>();
    BlockingQueue<String> heardRemoved = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        redis = TestRedis.start();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        vertx = Vertx.vertx();
        otherPod = new RedisLeases(redis.client(), PREFIX, Duration.ofMinutes(1), WAIT, Duration.ofSeconds(1)).start();
        otherPod.listen((signal, key, fromThisPod) -> {
            if (signal == Leases.Signal.REMOVED) {
                heardRemoved.add(key);
            }
        });
        otherPod.whenListening().await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        pods.forEach(pod -> pod.coalescer.close());
        otherPod.close();
        vertx.close();
        redis.close();
    }

    @Test
    void aRemovalTheStoreAnsweredIsAnnouncedByItsTransactionAlone() throws Exception {
        Pod pod = new Pod(UnaryOperator.identity());
        pod.responses.put("k", Headers.EMPTY, response("v1")).await().atMost(WAIT);

        pod.responses.invalidate("k").await().atMost(WAIT);

        assertEquals("k", heardRemoved.poll(5, TimeUnit.SECONDS), "the other pod was told, by the DEL's transaction");
        assertEquals(List.of(), pod.leases.removalsAnnounced, "and not a second time by the remover");
        assertTrue(pod.responses.lookup("k", Headers.EMPTY).await().atMost(WAIT).isEmpty());
    }

    @Test
    void aRemovalTheStoreDidNotAnswerIsAnnouncedByTheRemover() throws Exception {
        Pod pod = new Pod(redisStore -> new DelegatingStore(redisStore) {
            @Override
            public Uni<Boolean> remove(String key) {
                return Uni.createFrom().failure(new IllegalStateException("the DEL was lost"));
            }
        });
        pod.responses.put("k", Headers.EMPTY, response("v1")).await().atMost(WAIT);

        pod.responses.invalidate("k").await().atMost(WAIT);

        assertEquals(List.of("k"), pod.leases.removalsAnnounced, "no transaction told anyone: the remover does");
        assertEquals("k", heardRemoved.poll(5, TimeUnit.SECONDS));
    }

    StoredResponse response(String body) {
        return new StoredResponse(200, Headers.of("Cache-Control", "public, max-age=60"), body.getBytes(StandardCharsets.UTF_8),
                clock.instant(), clock.instant());
    }

    /** One pod: its announcing store behind {@code l2} (a fail-open wrapper), its leases counting the removals they announce. */
    final class Pod {
        final CountingLeases leases;
        final Coalescer coalescer;
        final StoredResponses responses;

        Pod(UnaryOperator<CacheStore> l2) {
            WriteSignals signals = WriteSignals.forNewPod(PREFIX);
            FailOpenStore shared = new FailOpenStore(l2.apply(RedisStore.announcing(redis.client(), PREFIX, signals)),
                    WAIT, WAIT, 2, WAIT, clock, FailOpenStore.Listener.NONE);
            TieredResponses tiers = TieredResponses.over(new BatchedHeads(shared, BatchedHeads.Listener.NONE), 1 << 20,
                    Duration.ofSeconds(1), clock);
            leases = new CountingLeases(new RedisLeases(redis.client(), PREFIX, signals, Duration.ofMinutes(1), WAIT,
                    Duration.ofSeconds(1)).start());
            coalescer = new Coalescer(vertx, leases, CoalesceSettings.DEFAULT, clock, CoalesceListener.NONE, tiers);
            pods.add(this);
            responses = new StoredResponses(tiers, CacheSettings.DEFAULT, new Retention(CacheSettings.DEFAULT, clock), coalescer,
                    new Meters(new SimpleMeterRegistry()), clock);
        }
    }

    /** The pod's real leases, recording each removal it announces itself. */
    static final class CountingLeases implements Leases {
        final Leases real;
        final List<String> removalsAnnounced = new CopyOnWriteArrayList<>();

        CountingLeases(Leases real) {
            this.real = real;
        }

        @Override
        public Uni<Void> announce(String key, Signal what) {
            if (what == Signal.REMOVED) {
                removalsAnnounced.add(key);
            }
            return real.announce(key, what);
        }

        @Override
        public Uni<Grant> acquire(String key) {
            return real.acquire(key);
        }

        @Override
        public Uni<Grant> acquire(String key, Duration ttl) {
            return real.acquire(key, ttl);
        }

        @Override
        public Uni<Void> extend(String key, String token) {
            return real.extend(key, token);
        }

        @Override
        public Uni<Void> release(String key, String token, Signal signal) {
            return real.release(key, token, signal);
        }

        @Override
        public boolean heartbeats() {
            return real.heartbeats();
        }

        @Override
        public Uni<Void> heartbeat(long stamp) {
            return real.heartbeat(stamp);
        }

        @Override
        public void listen(Listener listener) {
            real.listen(listener);
        }

        @Override
        public Uni<Void> whenListening() {
            return real.whenListening();
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
