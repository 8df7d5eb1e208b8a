package dev.outrigger.proxy;

import dev.outrigger.metrics.Meters;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The traffic port: one {@link ProxyVerticle} per configured event loop, all on one port. Plain Java, no
 * CDI, so tests can run several of them side by side.
 */
public final class ProxyServer {

    private final Vertx vertx;
    private final List<String> deployments = new ArrayList<>();
    private volatile int port;

    private ProxyServer(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Starts listening. The first verticle binds the configured port (0: a random one); the others join it
     * on the port it got, so port 0 still means a single shared port.
     */
    public static Future<ProxyServer> start(Vertx vertx, ProxySettings settings, Meters meters, Clock clock) {
        ProxyServer server = new ProxyServer(vertx);
        ProxyVerticle first = new ProxyVerticle(settings, settings.port(), meters, clock);
        return vertx.deployVerticle(first).compose(id -> {
            server.deployments.add(id);
            server.port = first.actualPort();
            if (settings.eventLoops() == 1) {
                return Future.succeededFuture(server);
            }
            return vertx.deployVerticle(() -> new ProxyVerticle(settings, server.port, meters, clock),
                            new DeploymentOptions().setInstances(settings.eventLoops() - 1))
                    .map(id2 -> {
                        server.deployments.add(id2);
                        return server;
                    });
        });
    }

    /** The port the traffic server listens on. */
    public int port() {
        return port;
    }

    public Future<Void> stop() {
        List<Future<Void>> undeployed = new ArrayList<>();
        for (String id : deployments) {
            undeployed.add(vertx.undeploy(id));
        }
        deployments.clear();
        return Future.join(undeployed).mapEmpty();
    }
}
