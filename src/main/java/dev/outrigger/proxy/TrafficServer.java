package dev.outrigger.proxy;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.session.SessionGate;
import dev.outrigger.upstream.UpstreamHealth;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Starts the traffic port with the application and stops it with the application. */
@Singleton
public class TrafficServer {

    private static final Logger LOG = Logger.getLogger(TrafficServer.class);

    /** The longest start-up waits for Redis to confirm the pod's subscriptions. */
    private static final Duration SUBSCRIPTION_WAIT = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final ProxySettings settings;
    private final Meters meters;
    private final Clock clock;
    private final CacheSettings cacheSettings;
    private final TieredResponses store;
    private final Coalescer coalescer;
    private final PurgeBus purgeBus;
    private final UpstreamHealth health;
    private volatile ProxyServer server;

    private final boolean enabled;
    private final DrainSettings drain;
    private final SessionGate sessions;

    TrafficServer(Vertx vertx, ProxySettings settings, CacheSettings cacheSettings, TieredResponses store, Coalescer coalescer,
                  PurgeBus purgeBus, UpstreamHealth health, Meters meters, Clock clock, DrainSettings drain, SessionGate sessions,
                  @ConfigProperty(name = "outrigger.mode", defaultValue = "proxy") String mode) {
        this.drain = drain;
        this.sessions = sessions;
        this.enabled = !mode.trim().equalsIgnoreCase("injector");
        this.vertx = vertx;
        this.health = health;
        this.settings = settings;
        this.cacheSettings = cacheSettings;
        this.store = store;
        this.coalescer = coalescer;
        this.purgeBus = purgeBus;
        this.meters = meters;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) throws Exception {
        if (!enabled) {
            LOG.info("injector mode: no traffic port; the admission webhook answers POST /inject on the Quarkus HTTP port");
            return;
        }
        // Startup observers run on the main thread, not an event loop: waiting here means that once the
        // application reports started, the traffic port accepts connections. First the pod's Redis
        // subscriptions are confirmed and the purge records read (a replica started after a purge must not
        // serve what it purged); bounded, and failing open: with Redis down the pod starts anyway.
        // The shared store's connection is opened too: the first call of a process is slow, and must not be a
        // request's (a timeout counted against Redis before it has answered anything).
        Uni.combine().all().unis(coalescer.whenListening(), purgeBus.whenReady(), store.warmUp(SUBSCRIPTION_WAIT)).discardItems()
                .ifNoItem().after(SUBSCRIPTION_WAIT).recoverWithItem((Void) null)
                .onFailure().recoverWithItem((Void) null)
                .await().atMost(SUBSCRIPTION_WAIT.plusSeconds(1));
        server = ProxyServer.start(vertx, settings, cacheSettings, store, coalescer, purgeBus, health, meters, clock, sessions)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("Outrigger listening on %s:%d, forwarding to %s (%d event loops, %s)",
                settings.host(), server.port(), settings.upstreamAuthority(), settings.eventLoops(), transport());
    }

    /** Which transport the event loops run on, and why not the native one where it is missing. */
    public String transport() {
        if (vertx.isNativeTransportEnabled()) {
            return "native transport";
        }
        Throwable why = vertx.unavailableNativeTransportCause();
        return "NIO transport" + (why == null ? "" : ": native transport unavailable (" + why + ")");
    }

    /**
     * SIGTERM: Quarkus's shutdown delay ({@code quarkus.shutdown.delay}, set from {@code outrigger.shutdown.delay})
     * begins, with the management port still answering: readiness goes down at once while requests are served.
     */
    void beginDrain(@Observes ShutdownDelayInitiatedEvent event) {
        ProxyServer s = server;
        if (s != null) {
            LOG.infof("shutting down: readiness down, requests served for %s more, then new connections are refused",
                    drain.delay());
            s.beginDrain();
        }
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        ProxyServer s = server;
        if (s != null) {
            // After the delay: no new connections; requests in flight get the grace (this runs on the shutdown
            // thread, which may wait).
            LOG.infof("draining: new connections refused, %d requests in flight get %s to finish", s.inFlight(), drain.grace());
            long started = System.nanoTime();
            // the server stays referenced: readiness stays down and liveness up until the process ends
            s.drain(Duration.ZERO, drain.grace()).toCompletionStage().toCompletableFuture()
                    .get(drain.grace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            LOG.infof("drained in %d ms", (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** The bound traffic port, or -1 before start and after stop. */
    public int port() {
        ProxyServer s = server;
        return s == null ? -1 : s.port();
    }

    /** False in injector mode: there is no traffic port to listen on. */
    public boolean enabled() {
        return enabled;
    }

    /** Readiness: false from the moment shutdown begins. */
    public boolean draining() {
        ProxyServer s = server;
        return s != null && s.draining();
    }

    public boolean listening() {
        return server != null;
    }
}
