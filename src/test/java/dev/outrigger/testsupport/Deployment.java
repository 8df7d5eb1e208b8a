package dev.outrigger.testsupport;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.purge.RedisPurgeBus;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.store.WriteSignals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Replicas of one deployment in this JVM: each its own L1, coalescer and purge records, all sharing one
 * real Redis (store, leases, fill signals, purge channel) in front of one origin. Requests go out with
 * {@code Host: shop.example}, as a Service would deliver them to every pod.
 */
public final class Deployment implements AutoCloseable {

    public static final String HOST = "shop.example";

    private final TestRedis redis;
    private final OriginServer origin;
    private final List<AutoCloseable> replicas = new ArrayList<>();

    public Deployment(TestRedis redis, OriginServer origin) {
        this.redis = redis;
        this.origin = origin;
    }

    /**
     * A replica on the real clock with the default settings, but for a 5 s lease: on a loaded test machine the
     * whole JVM (every replica in it) can stall past a 1 s lease's renewals, and a waiter would take over a live
     * holder's fetch. Tests about lease timing ask for the lease they mean.
     */
    public TestProxy replica() throws Exception {
        return replica(Clock.systemUTC(), CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)), CacheSettings.DEFAULT);
    }

    /** A replica, once its subscriptions are open and it has read the purge records. */
    public TestProxy replica(Clock clock, CoalesceSettings coalesce, CacheSettings cache) throws Exception {
        // Generous deadlines: on a loaded test machine a slow Redis call would otherwise be a miss, or a
        // lease fall back to pod-local coalescing (both as designed), and the origin counts the tests
        // assert would depend on the load. Redis outages are tested where they are the subject.
        WriteSignals pod = pod();
        return replica(clock, coalesce, cache, pod, new FailOpenStore(redisStore(pod),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 2, Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE));
    }

    /**
     * A replica named {@code pod} whose Redis calls go through {@code l2} (its deadlines and circuit as the test needs
     * them; build it on {@link #redisStore(WriteSignals)}), once its subscriptions are open and it has read the purge
     * records.
     */
    public TestProxy replica(Clock clock, CoalesceSettings coalesce, CacheSettings cache, WriteSignals pod, FailOpenStore l2)
            throws Exception {
        return replica(clock, coalesce, cache, pod, l2,
                (store, vertx, coalescer, purgeBus, meters) -> dev.outrigger.session.SessionGate.off());
    }

    /** A new replica's name and signal channel (as Producers makes one per pod). */
    public WriteSignals pod() {
        return WriteSignals.forNewPod("orc:v1:");
    }

    /** The session gate of a replica, over its Redis store and coalescer. */
    public interface Sessions {
        dev.outrigger.session.SessionGate create(FailOpenStore l2, io.vertx.core.Vertx vertx, dev.outrigger.coalesce.Coalescer coalescer,
                                                 dev.outrigger.purge.PurgeBus purgeBus, dev.outrigger.metrics.Meters meters);
    }

    /** A replica with sessions on, over the deployment's Redis. */
    public TestProxy replica(CacheSettings cache, Sessions sessions) throws Exception {
        Clock clock = Clock.systemUTC();
        WriteSignals pod = pod();
        return replica(clock, CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)), cache, pod,
                new FailOpenStore(redisStore(pod), Duration.ofSeconds(5), Duration.ofSeconds(5), 2,
                        Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE), sessions);
    }

    private TestProxy replica(Clock clock, CoalesceSettings coalesce, CacheSettings cache, WriteSignals pod, FailOpenStore l2,
                              Sessions sessions) throws Exception {
        Redis client = redis.client();
        // as Producers wires a pod: its store announces its writes under the name its leases go by
        RedisLeases leases = new RedisLeases(client, "orc:v1:", pod, coalesce.leaseTtl(), Duration.ofSeconds(5),
                Duration.ofSeconds(1)).start();
        RedisPurgeBus[] bus = new RedisPurgeBus[1];
        TestProxy proxy = TestProxy.start(origin, clock, TieredResponses.over(
                // as in production: the copies' confirmations of one event-loop turn go to Redis as one batch
                new dev.outrigger.store.BatchedHeads(l2, dev.outrigger.store.BatchedHeads.Listener.NONE),
                16L << 20, Duration.ofSeconds(1), clock), cache, leases, coalesce, (vertx, purges, listener) -> {
                    bus[0] = new RedisPurgeBus(client, purges, "orc:v1:", "outrigger:invalidate", Duration.ofSeconds(10),
                            Duration.ofSeconds(1), vertx, clock, listener).start();
                    return bus[0];
                }, (vertx, coalescer, purgeBus, meters) -> sessions.create(l2, vertx, coalescer, purgeBus, meters));
        replicas.add(proxy);
        // Confirmed by Redis: a purge or signal sent from now on reaches the replica.
        Uni.combine().all().unis(leases.whenListening(), bus[0].whenReady()).discardItems().await().atMost(Duration.ofSeconds(5));
        return proxy;
    }

    /** The shared store as the replica {@code pod}'s L2 sees it, before its fail-open wrapper: announcing its writes. */
    public RedisStore redisStore(WriteSignals pod) {
        return RedisStore.announcing(redis.client(), "orc:v1:", pod);
    }

    /** A GET with the deployment's Host and {@code headers} ("Name: value"). */
    public static RawHttp.Response get(int port, String target, String... headers) {
        StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\nHost: " + HOST + "\n");
        for (String h : headers) {
            req.append(h).append('\n');
        }
        try (RawHttp c = RawHttp.connect(port)) {
            return c.exchange(req.append('\n').toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable r : replicas.reversed()) {
            r.close();
        }
    }
}
