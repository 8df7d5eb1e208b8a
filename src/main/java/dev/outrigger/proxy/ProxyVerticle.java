package dev.outrigger.proxy;

import dev.outrigger.aggregate.FanOut;
import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.Loopback;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.session.SessionGate;
import dev.outrigger.upstream.UpstreamHealth;
import dev.outrigger.warm.TopTargets;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * One traffic event loop: a server on the shared traffic port and its own upstream connection pool, so
 * a request and its upstream exchange stay on one thread.
 */
final class ProxyVerticle extends AbstractVerticle {

    private final ProxySettings settings;
    private final int port;
    private final Meters meters;
    private final Clock clock;
    private final CacheSettings cacheSettings;
    private final TieredResponses store;
    private final Coalescer coalescer;
    private final PurgeBus purgeBus;
    private final ClientConnections connections;
    private final Drain drain;
    private final AccessLog accessLog;
    private final SessionGate sessions;
    private final UpstreamHealth health;
    private volatile int actualPort;
    private HttpClient client;
    private HttpClient tunnelClient;
    private HttpClient partClient;
    private final Loopback channel;
    private final TopTargets top;

    ProxyVerticle(ProxySettings settings, int port, Meters meters, Clock clock, CacheSettings cacheSettings,
                  TieredResponses store, Coalescer coalescer, PurgeBus purgeBus, ClientConnections connections, Drain drain,
                  UpstreamHealth health, SessionGate sessions, Loopback channel, TopTargets top) {
        this.top = top;
        this.channel = channel;
        this.sessions = sessions;
        this.settings = settings;
        this.drain = drain;
        this.accessLog = AccessLog.of(settings.accessLog());
        this.health = health;
        this.connections = connections;
        this.cacheSettings = cacheSettings;
        this.store = store;
        this.coalescer = coalescer;
        this.purgeBus = purgeBus;
        this.port = port;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public void start(Promise<Void> started) {
        client = vertx.createHttpClient(clientOptions(), new PoolOptions()
                .setHttp1MaxSize(settings.maxUpstreamConnections())
                .setMaxWaitQueueSize(settings.maxUpstreamWaitQueue()));
        // Upgrades get a pool of their own: a tunnel holds its connection for its lifetime and must not
        // take slots from ordinary requests. (Keep-alive stays on: without it the client would send
        // Connection: close in place of Connection: Upgrade.)
        tunnelClient = vertx.createHttpClient(clientOptions(),
                new PoolOptions().setHttp1MaxSize(settings.maxUpstreamConnections()));
        AggregateStep aggregates = AggregateStep.none();
        if (!cacheSettings.aggregates().isEmpty()) {
            // the parts' hop to this same port: a pool of this event loop's own, so a part stays on the aggregate's thread
            partClient = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                            .setConnectTimeout((int) settings.connectTimeout().toMillis()).setMaxInitialLineLength(65536)
                            .setMaxHeaderSize(65536),
                    new PoolOptions().setHttp1MaxSize(settings.maxUpstreamConnections()).setMaxWaitQueueSize(settings.maxUpstreamWaitQueue()));
            aggregates = new AggregateStep(cacheSettings.aggregates(), new FanOut(vertx, partClient, channel,
                    meters.aggregateListener(), settings.responseTimeout()), settings.trustForwarded());
        }
        ResponseCache cache = new ResponseCache(store, cacheSettings, coalescer, purgeBus, meters, clock, health, top);
        Intake intake = new Intake(settings, meters, cache, sessions, channel, aggregates,
                new Forwarder(client, tunnelClient, settings, meters, clock, cache::finishHead, health));
        HttpServerOptions options = serverOptions();
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(new ConnectionAdmission(connections, drain, meters, options, settings.requestHeadTimeout()))
                .requestHandler(req -> {
                    RequestTrace trace = RequestTrace.start(req);
                    drain.track(req, trace, accessLog);
                    intake.handle(req, trace);
                })
                .invalidRequestHandler(req -> {
                    RequestTrace trace = RequestTrace.start(req);
                    drain.track(req, trace, accessLog);
                    intake.onInvalid(req, trace);
                });
        io.vertx.core.Future<Void> parts = cacheSettings.aggregates().isEmpty() && !cacheSettings.warm().enabled()
                ? io.vertx.core.Future.succeededFuture() : partsListener(intake);
        server.listen().onComplete(ar -> {
            if (ar.succeeded()) {
                actualPort = ar.result().actualPort();
                parts.onComplete(p -> {
                    if (p.succeeded()) {
                        started.complete();
                    } else {
                        started.fail(p.cause());
                    }
                });
            } else {
                started.fail(ar.cause());
            }
        });
    }

    /**
     * The aggregates' parts come back on a listener of their own, on loopback: the only place their marker counts,
     * outside the cap on client connections and the drain's closing of connections (their pool is this pod's own).
     * One random port, shared by every event loop.
     */
    private io.vertx.core.Future<Void> partsListener(Intake intake) {
        // a negative port is a random one that servers asking for the same number share; the traffic port's random
        // one is -1, so this is another
        HttpServerOptions options = serverOptions().setHost(Loopback.HOST).setPort(-2);
        return vertx.createHttpServer(options)
                .requestHandler(req -> {
                    RequestTrace trace = RequestTrace.start(req);
                    drain.trackPart(req, trace, accessLog);
                    intake.handleHop(req, trace);
                })
                .invalidRequestHandler(req -> {
                    RequestTrace trace = RequestTrace.start(req);
                    drain.trackPart(req, trace, accessLog);
                    intake.onInvalid(req, trace);
                })
                .listen().map(s -> {
                    channel.listening(s.actualPort());
                    return null;
                });
    }

    @Override
    public void stop(Promise<Void> stopped) {
        io.vertx.core.Future.join(client.close(), tunnelClient.close(),
                partClient == null ? io.vertx.core.Future.succeededFuture() : partClient.close()).onComplete(ar -> stopped.complete());
    }

    int actualPort() {
        return actualPort;
    }

    private HttpServerOptions serverOptions() {
        return new HttpServerOptions()
                .setHost(settings.host())
                .setPort(port)
                .setMaxInitialLineLength(settings.maxRequestLine())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setIdleTimeout((int) settings.clientIdleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setTcpNoDelay(true)
                // Upgrades (h2c included) are the upstream's business: they are tunnelled, not answered here.
                .setHttp2ClearTextEnabled(false)
                // RFC 9110 §10.1.1: the upstream decides whether to accept the body, so its 100 is relayed.
                .setHandle100ContinueAutomatically(false)
                .setCompressionSupported(false)
                .setDecompressionSupported(false);
    }

    private HttpClientOptions clientOptions() {
        return new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setDefaultHost(settings.upstream().getHost())
                .setDefaultPort(settings.upstreamPort())
                .setSsl(settings.upstreamTls())
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) Math.max(1, settings.keepAliveTimeout().toSeconds()))
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setTryUseCompression(false)
                .setMaxInitialLineLength(65536)
                .setMaxHeaderSize(65536);
    }
}
