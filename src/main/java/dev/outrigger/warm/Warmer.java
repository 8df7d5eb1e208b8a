package dev.outrigger.warm;

import dev.outrigger.cache.Loopback;
import dev.outrigger.coalesce.Leases;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Warms the cache: at start-up (once the application accepts connections) and on an interval, the warm list and the
 * most requested targets are asked for through the cache path (the loopback listener, so coalescing, storability and
 * tags apply), with {@code Cache-Control: min-fresh} so an entry fresh for longer than the refresh window is left
 * alone and one missing or near expiry is fetched. With Redis, one replica per round warms for the deployment: a
 * lease for most of the interval elects it. Rate and concurrency are bounded; nothing here blocks, and readiness never
 * waits for it.
 */
public final class Warmer {

    private static final Logger LOG = Logger.getLogger(Warmer.class);
    private static final String LEASE = "warm";

    /** What warming did, for meters; implementations must not block. */
    public interface Listener {
        /** A round ended: {@code ran} (this replica warmed) or {@code skipped} (another did, or one was running). */
        default void round(String result) { }

        /** A run's targets: {@code fresh} (left alone), {@code fetched} (missing or near expiry: refreshed), {@code failed}. */
        default void target(String result) { }

        /** A run took this long. */
        default void ran(long nanos) { }

        Listener NONE = new Listener() { };
    }

    /** What one round did. */
    public record Round(boolean ran, int fresh, int fetched, int failed) {
        static final Round SKIPPED = new Round(false, 0, 0, 0);
    }

    private final Vertx vertx;
    private final WebClient client;
    private final WarmSettings settings;
    private final Loopback loopback;
    private final Leases leases;
    private final boolean shared;
    private final TopTargets top;
    private final Listener listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private long periodic = -1;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean stopped;

    /**
     * @param shared the cache is shared through Redis: one replica warms per round (without an election answer, none)
     * @param upstreamHost the application, whose accepting connections starts the start-up run
     */
    public Warmer(Vertx vertx, WebClient client, WarmSettings settings, Loopback loopback, Leases leases, boolean shared,
                  TopTargets top, Listener listener, String upstreamHost, int upstreamPort) {
        this.vertx = vertx;
        this.client = client;
        this.settings = settings;
        this.loopback = loopback;
        this.leases = leases;
        this.shared = shared;
        this.top = top;
        this.listener = listener;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
    }

    /** Starts the start-up run (when the application accepts connections) and the rounds on the interval. */
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        if (settings.atStart()) {
            whenUpstreamAccepts(System.nanoTime() + settings.interval().toNanos()).onComplete(ar -> {
                if (ar.succeeded()) {
                    round();
                }
            });
        }
        periodic = vertx.setPeriodic(settings.interval().toMillis(), id -> round());
    }

    public void stop() {
        stopped = true;
        if (periodic >= 0) {
            vertx.cancelTimer(periodic);
        }
        client.close();
    }

    /** One round: elected or not, and if so the run. Never fails. */
    public Future<Round> round() {
        if (stopped || !running.compareAndSet(false, true)) {
            listener.round("skipped");
            return Future.succeededFuture(Round.SKIPPED);
        }
        // every replica's counts fade at the same pace, whichever replica warms
        List<WarmTarget> learned = settings.top() > 0 ? top.top(settings.top()) : List.of();
        top.decay();
        Promise<Round> done = Promise.promise();
        elected().subscribe().with(yes -> vertx.runOnContext(v -> {
            if (!yes) {
                running.set(false);
                listener.round("skipped");
                done.complete(Round.SKIPPED);
                return;
            }
            long started = System.nanoTime();
            run(targets(learned), started + hold().toNanos()).onComplete(ar -> {
                running.set(false);
                listener.round("ran");
                listener.ran(System.nanoTime() - started);
                done.complete(ar.result());
            });
        }));
        return done.future();
    }

    /** How long a round's lease holds: most of the interval, so the winner's own next tick finds it gone. */
    private Duration hold() {
        return settings.interval().minus(settings.interval().dividedBy(10));
    }

    /** This replica warms this round: it took the round's lease, or it shares nothing and warms itself. */
    private Uni<Boolean> elected() {
        return leases.acquire(LEASE, hold()).map(grant -> switch (grant) {
            case Leases.Acquired a -> true;
            case Leases.Held h -> false;
            // no Redis: each replica has its own cache to warm; Redis configured but not answering: nobody warms
            case Leases.Local l -> !shared;
        });
    }

    /** The warm list, then the most requested targets not on it. */
    private List<WarmTarget> targets(List<WarmTarget> learned) {
        Set<WarmTarget> all = new LinkedHashSet<>(settings.targets());
        all.addAll(learned);
        return new ArrayList<>(all);
    }

    /**
     * Sends every target, one per rate tick, at most {@code concurrency} at once; completes when all answered. Nothing
     * more is sent once the round's lease has run out ({@code until}, System.nanoTime): another replica may warm then.
     */
    Future<Round> run(List<WarmTarget> targets, long until) {
        if (targets.isEmpty()) {
            return Future.succeededFuture(new Round(true, 0, 0, 0));
        }
        Promise<Round> done = Promise.promise();
        Deque<WarmTarget> queue = new ArrayDeque<>(targets);
        int[] inFlight = {0};
        int[] counts = new int[3]; // fresh, fetched, failed
        long every = Math.max(1, 1000L / settings.rate());
        long[] timer = {-1};
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (!queue.isEmpty() && System.nanoTime() - until > 0) {
                LOG.warnf("warming round cut short: %d targets not sent within the round's lease (raise the rate or the interval)",
                        queue.size());
                queue.clear();
            }
            if (queue.isEmpty() || stopped) {
                if (inFlight[0] == 0 && !done.future().isComplete()) {
                    if (timer[0] >= 0) {
                        vertx.cancelTimer(timer[0]);
                    }
                    done.complete(new Round(true, counts[0], counts[1], counts[2]));
                }
                return;
            }
            if (inFlight[0] >= settings.concurrency()) {
                return;
            }
            WarmTarget t = queue.poll();
            inFlight[0]++;
            send(t).onComplete(ar -> {
                inFlight[0]--;
                counts[ar.result()]++;
                listener.target(ar.result() == 0 ? "fresh" : ar.result() == 1 ? "fetched" : "failed");
                if (queue.isEmpty()) {
                    next[0].run(); // the last answers end the run at once
                }
            });
        };
        timer[0] = vertx.setPeriodic(every, id -> next[0].run());
        next[0].run();
        return done.future();
    }

    /**
     * One target through the cache: 0 fresh (answered from the cache without asking the application), 1 fetched
     * (missing, near expiry, or revalidated), 2 failed (4xx, 5xx, no answer; logged once, the path without its query,
     * which may hold what is not for logs). Never fails.
     */
    private Future<Integer> send(WarmTarget t) {
        HttpRequest<Buffer> req = client.get(loopback.port(), Loopback.HOST, t.target())
                .putHeader("Host", t.authority())
                .putHeader(Loopback.HEADER, loopback.warmMarker())
                .putHeader("Cache-Control", "min-fresh=" + settings.refreshWithin().toSeconds())
                // the variant browsers get, where the application varies on it; a listed request's own wins
                .putHeader("Accept-Encoding", settings.acceptEncoding())
                .timeout(settings.timeout().toMillis());
        t.headers().forEach(req::putHeader);
        String shown = t.authority() + t.target().split("\\?", 2)[0];
        return req.send().map(resp -> {
            if (resp.statusCode() >= 400) {
                LOG.warnf("warming %s: answered %d", shown, resp.statusCode());
                return 2;
            }
            String status = resp.getHeader("Cache-Status");
            boolean asked = status == null || status.contains("fwd=");
            return "HIT".equals(resp.getHeader("X-Cache")) && !asked ? 0 : 1;
        }).recover(failed -> {
            LOG.warnf("warming %s: %s", shown, failed.getMessage());
            return Future.succeededFuture(2);
        });
    }

    /** Completes when the application accepts a connection, trying every quarter second until {@code deadline}. */
    private Future<Void> whenUpstreamAccepts(long deadline) {
        Promise<Void> ready = Promise.promise();
        NetClient tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1000));
        Runnable[] attempt = new Runnable[1];
        attempt[0] = () -> tcp.connect(upstreamPort, upstreamHost).onComplete(ar -> {
            if (ar.succeeded()) {
                ar.result().close();
                tcp.close();
                ready.complete();
            } else if (stopped || System.nanoTime() - deadline > 0) {
                tcp.close();
                LOG.warnf("warming at start skipped: the application did not accept connections (%s)", ar.cause().getMessage());
                ready.fail(ar.cause());
            } else {
                vertx.setTimer(250, id -> attempt[0].run());
            }
        });
        attempt[0].run();
        return ready.future();
    }
}
