package dev.outrigger.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Whether the application answers, judged from the pod's real upstream exchanges (no probe traffic of its
 * own). After {@code failingAfter} failures in a row (refused, reset or timed-out connections, 502/503/504)
 * lasting {@code failingFor} it is <em>failing</em>: a request holding a copy it may serve on error (RFC 5861
 * {@code stale-if-error}) is answered with that copy without asking the application, except one request at a
 * time, at most once per probe interval (doubling while the failures go on, up to a cap), which asks and so
 * finds out when it is back. Requests with nothing to fall back on are still forwarded: their answers are the
 * application's own, and the first success ends the failing state at once (Varnish grace with a sick backend,
 * nginx {@code proxy_cache_use_stale error updating}). Before the whole application counts as failing, a key
 * whose own fetch failed is answered from its copy for one probe interval. One log line when it starts failing
 * and one when it recovers, with counts; per-request failures go to the listener (metrics).
 * One instance per pod, shared by every event loop; lock-free except on the rare transitions.
 */
public final class UpstreamHealth {

    private static final Logger LOG = Logger.getLogger(UpstreamHealth.class);

    /** The states, as health data and a gauge show them. */
    public enum State { HEALTHY, FAILING }

    /** What a request that could be answered with a stale copy on error is to do. */
    public enum Ask {
        /** The application is healthy: ask it. */
        ASK,
        /** It is failing, and this request is the one probe: ask it, and keep asking whatever happens meanwhile. */
        PROBE,
        /** It is failing: answer with the stale copy without asking it. */
        SPARE
    }

    /** What happened, for meters; implementations must not block. */
    public interface Listener {
        /** An upstream exchange failed; {@code reason} is one of a few fixed words (a metric tag). */
        default void failure(String reason) { }

        default void stateChanged(State state) { }

        /** A request was answered from a stale copy without asking the failing application. */
        default void servedWithoutAsking() { }

        /** A request was let through to find out whether the failing application is back. */
        default void probe() { }

        Listener NONE = new Listener() { };
    }

    /**
     * @param failingAfter failures in a row that make the application count as failing, once they span {@code failingFor}
     * @param failingFor how long the failures in a row must last (no success in between): one broken route among
     *                   healthy ones answers between its failures, so it never makes the whole application failing
     * @param probeEvery the interval before the first probe once it fails (doubled after each probe)
     * @param probeEveryMax the longest interval between probes
     * @param probeTimeout how long a probe may take before another is let through (a lost report must not stop probing)
     */
    public record Settings(int failingAfter, Duration failingFor, Duration probeEvery, Duration probeEveryMax,
                           Duration probeTimeout) {
        public static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(10));

        public Settings {
            if (failingAfter < 1) {
                throw new IllegalArgumentException("failing-after must be at least 1, got " + failingAfter);
            }
            if (failingFor.isNegative()) {
                throw new IllegalArgumentException("failing-for must not be negative, got " + failingFor);
            }
            if (!probeEvery.isPositive() || probeEveryMax.compareTo(probeEvery) < 0) {
                throw new IllegalArgumentException("probe interval must be positive and not above its maximum, got "
                        + probeEvery + " / " + probeEveryMax);
            }
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final Listener listener;
    private final AtomicInteger failuresInARow = new AtomicInteger();
    /** Epoch ms of the first failure of the current run. */
    private volatile long runStartedAt;
    private volatile State state = State.HEALTHY;
    /** Epoch ms: no probe before this. */
    private final AtomicLong nextProbeAt = new AtomicLong();
    /** Epoch ms of the last probe let through, or 0 when none is in flight. */
    private final AtomicLong probeInFlightSince = new AtomicLong();
    private volatile long probeInterval;
    private long failingSince;
    private final AtomicLong failuresSinceTransition = new AtomicLong();
    private final AtomicLong answeredWithoutAsking = new AtomicLong();
    private volatile String lastFailure = "";
    /** Keys whose own fetch failed within the first probe interval (bounded; values unused). */
    private final Cache<String, Boolean> failedKeys;

    public UpstreamHealth(Settings settings, Clock clock, Listener listener) {
        this.failedKeys = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(settings.probeEvery())
                .ticker(() -> clock.millis() * 1_000_000L)
                .executor(Runnable::run)
                .build();
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.probeInterval = settings.probeEvery().toMillis();
    }

    public State state() {
        return state;
    }

    public boolean failing() {
        return state == State.FAILING;
    }

    /** The latest failure's reason, for health data ({@code ""} when none was seen). */
    public String lastFailure() {
        return lastFailure;
    }

    /** The application answered (anything but 502/503/504). */
    public void succeeded() {
        // (a key's own failure is forgotten by its expiry: an answer to another key says nothing about it)
        // every upstream answer comes here, from every event loop: shared fields are written only on a change
        if (failuresInARow.get() != 0) {
            failuresInARow.set(0);
        }
        if (probeInFlightSince.get() != 0) {
            probeInFlightSince.set(0);
        }
        if (state == State.FAILING) {
            recover();
        }
    }

    /** An exchange with the application failed: {@code reason} is a fixed word (refused, timeout, closed, 503...). */
    public void failed(String reason) {
        lastFailure = reason;
        listener.failure(reason);
        failuresSinceTransition.incrementAndGet();
        probeInFlightSince.set(0);
        int inARow = failuresInARow.incrementAndGet();
        long now = clock.millis();
        if (inARow == 1) {
            runStartedAt = now;
        }
        if (state != State.FAILING && inARow >= settings.failingAfter()
                && now - runStartedAt >= settings.failingFor().toMillis()) {
            fail(reason, inARow);
        }
    }

    /** The application answered an exchange with {@code status}: a failure for 502/503/504, else a success. */
    public void answered(int status) {
        if (isFailure(status)) {
            failed(Integer.toString(status));
        } else {
            succeeded();
        }
    }

    /**
     * An exchange with the application failed with {@code cause}, unless the cause was this side's: a full pool
     * (ours), or {@code clientLeft} (a client that left cancelled it).
     */
    public void failed(Throwable cause, boolean clientLeft) {
        UpstreamFailure failure = UpstreamFailure.of(cause);
        if (!clientLeft && !failure.ours()) {
            failed(failure.kind());
        }
    }

    /** The fetch of {@code key} failed (its stale copy was served instead): the key is not asked again for a probe interval. */
    public void keyFailed(String key) {
        failedKeys.put(key, Boolean.TRUE);
    }

    /** A status from the application that says it cannot answer now (a gateway's or an overloaded app's). */
    public static boolean isFailure(int status) {
        return status == 502 || status == 503 || status == 504;
    }

    /**
     * What a request that could be answered with a stale copy is to do: ask while the application is healthy;
     * while it fails, only the one probe asks, when its interval has passed and no other probe is in flight.
     * {@link Ask#SPARE} counts as a request answered without asking.
     */
    public Ask ask() {
        return ask(null);
    }

    /**
     * As {@link #ask()}, for a request for {@code key}: while the application is not (yet) known to be failing,
     * a key whose own fetch failed less than the first probe interval ago is answered stale without asking
     * (per key, one failed fetch per interval rather than one per request).
     */
    public Ask ask(String key) {
        if (state != State.FAILING) {
            if (key != null && failedKeys.getIfPresent(key) != null) {
                answeredWithoutAsking.incrementAndGet();
                listener.servedWithoutAsking();
                return Ask.SPARE;
            }
            return Ask.ASK;
        }
        long now = clock.millis();
        long since = probeInFlightSince.get();
        boolean inFlight = since != 0 && now - since < settings.probeTimeout().toMillis();
        long due = nextProbeAt.get();
        // each probe waits longer than the one before (1 s, 2 s, 4 s... by default), until the application answers
        long interval = Math.min(settings.probeEveryMax().toMillis(), probeInterval * 2);
        if (!inFlight && now >= due && nextProbeAt.compareAndSet(due, now + interval)) {
            probeInterval = interval;
            probeInFlightSince.set(now);
            listener.probe();
            return Ask.PROBE;
        }
        answeredWithoutAsking.incrementAndGet();
        listener.servedWithoutAsking();
        return Ask.SPARE;
    }

    private void fail(String reason, int inARow) {
        synchronized (this) {
            if (state == State.FAILING) {
                return;
            }
            state = State.FAILING;
            failingSince = clock.millis();
            probeInterval = settings.probeEvery().toMillis();
            nextProbeAt.set(failingSince + probeInterval);
            failuresSinceTransition.set(inARow);
            answeredWithoutAsking.set(0);
        }
        listener.stateChanged(State.FAILING);
        LOG.warnf("upstream failing: %d failures in a row (last: %s); stale-if-error copies are served without asking it, "
                + "one request at a time probes it; failures are counted in outrigger_upstream_failures_total", inARow, reason);
    }

    private void recover() {
        long seconds;
        long failures;
        long withoutAsking;
        synchronized (this) {
            if (state != State.FAILING) {
                return;
            }
            state = State.HEALTHY;
            seconds = (clock.millis() - failingSince) / 1000;
            failures = failuresSinceTransition.getAndSet(0);
            withoutAsking = answeredWithoutAsking.getAndSet(0);
            probeInterval = settings.probeEvery().toMillis();
        }
        listener.stateChanged(State.HEALTHY);
        LOG.infof("upstream answering again after %ds failing: %d failed exchanges and %d stale answers given without "
                + "asking it meanwhile", seconds, failures, withoutAsking);
    }
}
