package dev.outrigger.health;

import dev.outrigger.upstream.UpstreamHealth;
import dev.outrigger.config.OutriggerConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the upstream answers: a TCP connect, or a GET of a configured path that returns below 500.
 * Never looks at Redis: a cache outage degrades, it does not take the pod out of service.
 */
@Readiness
@ApplicationScoped
class UpstreamReadiness implements AsyncHealthCheck {

    private final OutriggerConfig.Readiness config;
    private final URI upstream;
    private final int port;
    private final String target;
    private final NetClient tcp;
    private final HttpClient http;
    private final UpstreamHealth health;

    /** Injector mode has no upstream: always ready. */
    private final boolean injector;

    UpstreamReadiness(Vertx vertx, OutriggerConfig config, UpstreamHealth health) {
        this.injector = config.mode() == OutriggerConfig.Mode.INJECTOR;
        this.health = health;
        this.config = config.readiness();
        this.upstream = config.upstream().url();
        this.port = upstream.getPort() > 0 ? upstream.getPort() : "https".equals(upstream.getScheme()) ? 443 : 80;
        // No user-info, path or query in health output.
        this.target = upstream.getScheme() + "://" + upstream.getHost() + ":" + port;
        int timeout = (int) this.config.timeout().toMillis();
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(timeout));
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(upstream.getHost()).setDefaultPort(port)
                .setSsl("https".equals(upstream.getScheme()))
                .setConnectTimeout(timeout).setKeepAlive(false));
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        // what the traffic port's own exchanges show (failing: stale-if-error copies are served without asking)
        var response = HealthCheckResponse.named("upstream").withData("url", target)
                .withData("exchanges", health.state().name().toLowerCase(java.util.Locale.ROOT));
        if (health.failing()) {
            response.withData("last-failure", health.lastFailure());
        }
        if (injector) {
            return Uni.createFrom().item(HealthCheckResponse.named("upstream").up().withData("mode", "injector").build());
        }
        if (!config.checkUpstream()) {
            return Uni.createFrom().item(response.up().withData("checked", false).build());
        }
        return Uni.createFrom().completionStage(() -> (config.upstreamPath().isPresent()
                        ? httpProbe(config.upstreamPath().get()) : tcpProbe()).toCompletionStage())
                .map(detail -> response.up().withData("probe", detail).build())
                .onFailure().recoverWithItem(t -> response.down().withData("error", String.valueOf(t.getMessage())).build());
    }

    private Future<String> tcpProbe() {
        return tcp.connect(port, upstream.getHost()).map(socket -> {
            socket.close();
            return "tcp connect";
        });
    }

    private Future<String> httpProbe(String path) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path)
                .setIdleTimeout(config.timeout().toMillis());
        return http.request(options)
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(body -> resp.statusCode()))
                .compose(status -> status < 500
                        ? Future.succeededFuture("GET " + path + " → " + status)
                        : Future.failedFuture("GET " + path + " → " + status));
    }
}
