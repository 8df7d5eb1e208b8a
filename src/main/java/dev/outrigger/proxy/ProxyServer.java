package dev.outrigger.proxy;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.Loopback;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.client.OutboundClient;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.session.SessionGate;
import dev.outrigger.upstream.UpstreamHealth;
import dev.outrigger.warm.TopTargets;
import dev.outrigger.warm.WarmSettings;
import dev.outrigger.warm.Warmer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The traffic port: one {@link ProxyVerticle} per configured event loop, all on one port, sharing one
 * cache store, one {@link Coalescer}, one {@link PurgeBus} and one count of open client connections
 * (a pod's). Plain Java, no CDI, so tests can run several of them side by side.
 */
public final class ProxyServer {

    private static final long DRAIN_POLL_MS = 20;

    private final Vertx vertx;
    private final String deployment;
    private final int port;
    private final Drain drain;
    private final Coalescer coalescer;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

    private ProxyServer(Vertx vertx, String deployment, int port, Drain drain, Coalescer coalescer) {
        this.vertx = vertx;
        this.deployment = deployment;
        this.port = port;
        this.drain = drain;
        this.coalescer = coalescer;
    }

    /** {@link #start(Vertx, ProxySettings, CacheSettings, TieredResponses, Coalescer, PurgeBus, UpstreamHealth, Meters, Clock, SessionGate)} without sessions. */
    public static Future<ProxyServer> start(Vertx vertx, ProxySettings settings, CacheSettings cacheSettings,
                                            TieredResponses store, Coalescer coalescer, PurgeBus purgeBus, UpstreamHealth health,
                                            Meters meters, Clock clock) {
        return start(vertx, settings, cacheSettings, store, coalescer, purgeBus, health, meters, clock, SessionGate.off());
    }

    /** Starts listening on the configured port; port 0 binds one random port that every event loop shares. */
    public static Future<ProxyServer> start(Vertx vertx, ProxySettings settings, CacheSettings cacheSettings,
                                            TieredResponses store, Coalescer coalescer, PurgeBus purgeBus, UpstreamHealth health,
                                            Meters meters, Clock clock, SessionGate sessions) {
        // Vert.x shares a listening socket between servers asking for the same port; a negative port is a
        // random one shared the same way, where 0 would give every event loop a port of its own.
        int bind = settings.port() == 0 ? -1 : settings.port();
        List<ProxyVerticle> verticles = new CopyOnWriteArrayList<>();
        // One count for the pod: the cap is on connections, whichever event loop accepted them.
        ClientConnections connections = new ClientConnections(settings.maxClientConnections());
        Drain drain = new Drain();
        Loopback channel = new Loopback(); // one secret per server: its aggregates' parts and its warming come back to it
        meters.aggregates(cacheSettings.aggregates());
        WarmSettings warm = cacheSettings.warm();
        TopTargets top = warm.enabled() ? TopTargets.forTop(warm.top()) : TopTargets.NONE;
        meters.clientConnections(connections::open);
        meters.routes(cacheSettings.routes().names());
        return vertx.deployVerticle(() -> {
                    ProxyVerticle v = new ProxyVerticle(settings, bind, meters, clock, cacheSettings, store, coalescer, purgeBus,
                            connections, drain, health, sessions, channel, top);
                    verticles.add(v);
                    return v;
                }, new DeploymentOptions().setInstances(settings.eventLoops()))
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e)))
                .map(id -> {
                    ProxyServer server = new ProxyServer(vertx, id, verticles.get(0).actualPort(), drain, coalescer);
                    if (warm.enabled()) {
                        server.warmer = new Warmer(vertx, OutboundClient.create(vertx), warm, channel, coalescer.leases(),
                                coalescer.shared(), top, meters.warmListener(), settings.upstream().getHost(), settings.upstreamPort());
                        server.warmer.start();
                    }
                    return server;
                });
    }

    /** Warms the cache when configured; null otherwise. */
    private Warmer warmer;

    /** The warmer (tests start a round with it); null when warming is off. */
    public Warmer warmer() {
        return warmer;
    }

    /** The port the traffic server listens on. */
    public int port() {
        return port;
    }

    /** Stops the server, cutting open connections; once (a drain stops it too). */
    public Future<Void> stop() {
        if (warmer != null) {
            warmer.stop();
        }
        return stopped.compareAndSet(false, true) ? vertx.undeploy(deployment) : Future.succeededFuture();
    }

    /**
     * Leaves gracefully: readiness down at once (requests still served, with {@code Connection: close}); after
     * {@code delay} (the time Services take to drop the pod) new connections are refused; requests in flight
     * get up to {@code grace} to finish, then the server stops and cuts what is left; leases this pod still
     * holds are then given up so another replica fetches at once. Completes when all that is done.
     */
    public Future<Void> drain(Duration delay, Duration grace) {
        drain.begin();
        Promise<Void> drained = Promise.promise();
        vertx.setTimer(Math.max(1, delay.toMillis()), t -> {
            drain.refuse();
            long deadline = System.nanoTime() + grace.toNanos();
            vertx.setPeriodic(1, DRAIN_POLL_MS, id -> {
                if (drain.inFlight() == 0 || System.nanoTime() - deadline >= 0) {
                    vertx.cancelTimer(id);
                    drained.complete();
                }
            });
        });
        return drained.future()
                .compose(v -> stop())
                .compose(v -> Future.fromCompletionStage(coalescer.releaseAll().subscribeAsCompletionStage()));
    }

    /** Readiness down, requests still served (each with {@code Connection: close}): the first step of {@link #drain}. */
    public void beginDrain() {
        drain.begin();
    }

    /** Readiness: false once the drain began. */
    public boolean draining() {
        return drain.draining();
    }

    /** Requests being answered now. */
    public long inFlight() {
        return drain.inFlight();
    }
}
