package dev.outrigger.proxy;

import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.upstream.UpstreamHealth;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The traffic port: one {@link ProxyVerticle} per configured event loop, all on one port, sharing one
 * cache store, one {@link Coalescer}, one {@link PurgeBus} and one count of open client connections
 * (a pod's). Plain Java, no CDI, so tests can run several of them side by side.
 */
public final class ProxyServer {

    private final Vertx vertx;
    private final String deployment;
    private final int port;

    private ProxyServer(Vertx vertx, String deployment, int port) {
        this.vertx = vertx;
        this.deployment = deployment;
        this.port = port;
    }

    /** Starts listening on the configured port; port 0 binds one random port that every event loop shares. */
    public static Future<ProxyServer> start(Vertx vertx, ProxySettings settings, CacheSettings cacheSettings,
                                            TieredResponses store, Coalescer coalescer, PurgeBus purgeBus, UpstreamHealth health,
                                            Meters meters, Clock clock) {
        // Vert.x shares a listening socket between servers asking for the same port; a negative port is a
        // random one shared the same way, where 0 would give every event loop a port of its own.
        int bind = settings.port() == 0 ? -1 : settings.port();
        List<ProxyVerticle> verticles = new CopyOnWriteArrayList<>();
        // One count for the pod: the cap is on connections, whichever event loop accepted them.
        ClientConnections connections = new ClientConnections(settings.maxClientConnections());
        meters.clientConnections(connections::open);
        meters.routes(cacheSettings.routes().names());
        return vertx.deployVerticle(() -> {
                    ProxyVerticle v = new ProxyVerticle(settings, bind, meters, clock, cacheSettings, store, coalescer, purgeBus,
                            connections, health);
                    verticles.add(v);
                    return v;
                }, new DeploymentOptions().setInstances(settings.eventLoops()))
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e)))
                .map(id -> new ProxyServer(vertx, id, verticles.get(0).actualPort()));
    }

    /** The port the traffic server listens on. */
    public int port() {
        return port;
    }

    public Future<Void> stop() {
        return vertx.undeploy(deployment);
    }
}
