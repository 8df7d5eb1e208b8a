package dev.outrigger.testsupport;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.metrics.Meters;
import dev.outrigger.proxy.ProxyServer;
import dev.outrigger.proxy.ProxySettings;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.purge.Purges;
import dev.outrigger.session.SessionGate;
import dev.outrigger.upstream.UpstreamHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * An Outrigger traffic server started in-process without Quarkus, on its own Vert.x and a random port,
 * forwarding to an {@link OriginServer}: for tests that need settings of their own or several proxies.
 */
public final class TestProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyServer server;
    private final Coalescer coalescer;
    private final PurgeBus purgeBus;
    private final UpstreamHealth health;

    /** Builds a replica's purge bus from its records and its meters' listener. */
    public interface PurgeBusFactory {
        PurgeBus create(Vertx vertx, Purges purges, PurgeBus.Listener listener);

        PurgeBusFactory LOCAL = (vertx, purges, listener) -> PurgeBus.local(purges, listener);
    }

    /** The session gate of a proxy, made once its coalescer and meters exist. */
    public interface SessionsFactory {
        SessionGate create(Vertx vertx, Coalescer coalescer, PurgeBus purgeBus, Meters meters);

        SessionsFactory OFF = (vertx, coalescer, purgeBus, meters) -> SessionGate.off();
    }

    private TestProxy(ProxySettings settings, Clock clock, TieredResponses store, CacheSettings cache, Leases leases,
                      CoalesceSettings coalesce, PurgeBusFactory purgeBusFactory) {
        this(settings, clock, store, cache, leases, coalesce, purgeBusFactory, SessionsFactory.OFF);
    }

    private TestProxy(ProxySettings settings, Clock clock, TieredResponses store, CacheSettings cache, Leases leases,
                      CoalesceSettings coalesce, PurgeBusFactory purgeBusFactory, SessionsFactory sessions) {
        Meters meters = new Meters(registry);
        TieredResponses cacheStore = store == null ? TieredResponses.memory(64L << 20, clock) : store;
        coalescer = new Coalescer(vertx, leases, coalesce, clock, meters.coalesceListener(), cacheStore);
        Purges purges = new Purges(clock, Duration.ofMillis(100), cache.maxTtl());
        purgeBus = purgeBusFactory.create(vertx, purges, meters.purgeListener(purges::size));
        health = new UpstreamHealth(UpstreamHealth.Settings.DEFAULT, clock, meters.upstreamListener());
        try {
            server = ProxyServer.start(vertx, settings, cache, cacheStore, coalescer, purgeBus, health, meters, clock,
                            sessions.create(vertx, coalescer, purgeBus, meters))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("proxy did not start", e);
        }
    }

    /** A proxy with the documented defaults in front of {@code origin}, changed by {@code tweak}. */
    public static TestProxy start(OriginServer origin, UnaryOperator<ProxySettings> tweak) {
        return start(origin.url(), tweak, Clock.systemUTC());
    }

    public static TestProxy start(String upstream, UnaryOperator<ProxySettings> tweak, Clock clock) {
        return new TestProxy(tweak.apply(ProxySettings.defaults(java.net.URI.create(upstream))), clock, null, CacheSettings.DEFAULT,
                Leases.LOCAL, CoalesceSettings.DEFAULT, PurgeBusFactory.LOCAL);
    }

    /** A proxy with its own cache store (several proxies given one Redis-backed store act as replicas). */
    public static TestProxy start(OriginServer origin, Clock clock, TieredResponses store, CacheSettings cache) {
        return start(origin, clock, store, cache, Leases.LOCAL, CoalesceSettings.DEFAULT);
    }

    /**
     * A replica: its own store (L1 over a shared L2) and its own coalescer over {@code leases} (a
     * {@code RedisLeases} on the shared Redis makes several proxies coalesce as one deployment).
     */
    public static TestProxy start(OriginServer origin, Clock clock, TieredResponses store, CacheSettings cache, Leases leases,
                                  CoalesceSettings coalesce) {
        return start(origin, clock, store, cache, leases, coalesce, PurgeBusFactory.LOCAL);
    }

    /** A proxy with its own cache store and settings, and proxy settings changed by {@code tweak}. */
    public static TestProxy start(OriginServer origin, Clock clock, TieredResponses store, CacheSettings cache,
                                  UnaryOperator<ProxySettings> tweak) {
        return new TestProxy(tweak.apply(ProxySettings.defaults(java.net.URI.create(origin.url()))), clock, store, cache,
                Leases.LOCAL, CoalesceSettings.DEFAULT, PurgeBusFactory.LOCAL);
    }

    /** A replica that also hears purges through {@code purgeBus} (a {@code RedisPurgeBus} on the shared Redis). */
    public static TestProxy start(OriginServer origin, Clock clock, TieredResponses store, CacheSettings cache, Leases leases,
                                  CoalesceSettings coalesce, PurgeBusFactory purgeBus) {
        return new TestProxy(ProxySettings.defaults(java.net.URI.create(origin.url())), clock, store, cache, leases, coalesce,
                purgeBus);
    }

    /** A replica with sessions: {@code sessions} makes its gate over its coalescer. */
    public static TestProxy start(OriginServer origin, Clock clock, TieredResponses store, CacheSettings cache, Leases leases,
                                  CoalesceSettings coalesce, PurgeBusFactory purgeBus, SessionsFactory sessions) {
        return new TestProxy(ProxySettings.defaults(java.net.URI.create(origin.url())), clock, store, cache, leases, coalesce,
                purgeBus, sessions);
    }

    /** The Host the request helpers send. */
    public static final String HOST = "shop.test";

    /** A GET on a connection of its own, with {@code Host: shop.test} and {@code headers} ("Name: value"). */
    public RawHttp.Response get(String target, String... headers) throws java.io.IOException {
        return request("GET", target, headers);
    }

    /** A bodiless request on a connection of its own, with {@code Host: shop.test} and {@code headers} ("Name: value"). */
    public RawHttp.Response request(String method, String target, String... headers) throws java.io.IOException {
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\nHost: " + HOST + "\n");
        for (String h : headers) {
            req.append(h).append('\n');
        }
        try (RawHttp c = RawHttp.connect(port())) {
            return c.exchange(req.append('\n').toString());
        }
    }

    /**
     * Asks until the answer's X-Cache is {@code xCache} (the store is written after the client has its
     * response, so a hit comes a moment later); returns that answer.
     */
    public RawHttp.Response await(String xCache, String target, String... headers) throws InterruptedException {
        RawHttp.Response[] last = new RawHttp.Response[1];
        Await.until(() -> {
            try {
                last[0] = get(target, headers);
                return xCache.equals(last[0].header("X-Cache"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, target + " answered X-Cache: " + xCache);
        return last[0];
    }

    /** Shuts the traffic port down as SIGTERM does (see ProxyServer#drain); completes when it is done. */
    public io.vertx.core.Future<Void> drain(Duration delay, Duration grace) {
        return server.drain(delay, grace);
    }

    /** Whether the drain began (readiness down). */
    public boolean draining() {
        return server.draining();
    }

    /** The warmer, when the cache settings turn warming on; null otherwise. */
    public dev.outrigger.warm.Warmer warmer() {
        return server.warmer();
    }

    public PurgeBus purgeBus() {
        return purgeBus;
    }

    public int port() {
        return server.port();
    }

    /** The value of a counter, e.g. {@code outrigger.coalesce.waiters}; {@code tags}: key, value, key, value… */
    public double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** The value of a gauge, e.g. {@code outrigger.client.connections}; NaN when there is none. */
    public double gauge(String name) {
        var g = registry.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    /** This replica's view of whether its upstream answers. */
    public UpstreamHealth health() {
        return health;
    }

    public Coalescer coalescer() {
        return coalescer;
    }

    /** The value of {@code outrigger_requests_total{outcome=...}}, all routes together. */
    public double requests(String outcome) {
        return registry.find("outrigger.requests").tag("outcome", outcome).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** The value of {@code outrigger_requests_total{outcome=...,route=...}}. */
    public double requests(String route, String outcome) {
        var c = registry.find("outrigger.requests").tag("outcome", outcome).tag("route", route).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() throws Exception {
        coalescer.close();
        purgeBus.close();
        server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
