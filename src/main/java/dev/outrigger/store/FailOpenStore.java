package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Wraps a remote store so that it can only ever slow a request by its timeout and never fail one
 * (DESIGN rule 8): every call has a deadline; an error or timeout is a miss (reads) or is dropped
 * (writes); after {@code failureThreshold} failures in a row the circuit opens and calls skip the store
 * for {@code openFor}, then one probe call decides whether it closes again.
 */
public final class FailOpenStore implements CacheStore {

    private static final Logger LOG = Logger.getLogger(FailOpenStore.class);

    /** Circuit states, exported as health data and a gauge. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** What the wrapper observed, for meters; implementations must not block. */
    public interface Listener {
        void failure(String operation, Throwable cause);

        void stateChanged(State state);

        /** A call that succeeded, and how long it took. */
        default void latency(String operation, long nanos) { }

        Listener NONE = new Listener() {
            @Override
            public void failure(String operation, Throwable cause) { }

            @Override
            public void stateChanged(State state) { }
        };
    }

    private final CacheStore delegate;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final int failureThreshold;
    private final Duration openFor;
    private final Clock clock;
    private final Listener listener;

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<Instant> openedAt = new AtomicReference<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.CLOSED);
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicInteger suppressed = new AtomicInteger();

    public FailOpenStore(CacheStore delegate, Duration readTimeout, Duration writeTimeout, int failureThreshold,
                         Duration openFor, Clock clock, Listener listener) {
        this.delegate = delegate;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        this.failureThreshold = failureThreshold;
        this.openFor = openFor;
        this.clock = clock;
        this.listener = listener;
    }

    public State state() {
        return state.get();
    }

    @Override
    public Uni<Optional<Entry>> get(String key) {
        if (!admit()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return guard("get", delegate.get(key), readTimeout, Optional.empty());
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        if (!admit()) {
            return Uni.createFrom().voidItem();
        }
        return guard("put", delegate.put(key, value, ttl), writeTimeout, null);
    }

    @Override
    public Uni<Boolean> remove(String key) {
        if (!admit()) {
            return Uni.createFrom().item(false);
        }
        return guard("remove", delegate.remove(key), writeTimeout, false);
    }

    private <T> Uni<T> guard(String operation, Uni<T> call, Duration timeout, T fallback) {
        long start = System.nanoTime();
        return call.ifNoItem().after(timeout).fail()
                .onItem().invoke(ok -> {
                    listener.latency(operation, System.nanoTime() - start);
                    succeeded();
                })
                .onFailure().recoverWithItem(t -> {
                    failed(operation, t);
                    return fallback;
                });
    }

    /** Whether a call may go to the store now; moves an open circuit to half-open once its time is up. */
    private boolean admit() {
        State s = state.get();
        if (s == State.CLOSED) {
            return true;
        }
        if (s == State.OPEN && !clock.instant().isBefore(openedAt.get().plus(openFor))
                && state.compareAndSet(State.OPEN, State.HALF_OPEN)) {
            listener.stateChanged(State.HALF_OPEN);
            return true; // the one probe
        }
        return false;
    }

    /** A flapping store must not flood the log: one line a minute, with how many were held back. */
    private void warnAtMostEveryMinute(String operation, Throwable cause) {
        long now = clock.millis();
        long last = lastWarning.get();
        if (now - last >= 60_000 && lastWarning.compareAndSet(last, now)) {
            LOG.warnf("cache store failing (%s: %s): circuit open for %s, requests go to the upstream%s",
                    operation, cause.toString(), openFor,
                    suppressed.get() > 0 ? " (" + suppressed.getAndSet(0) + " more openings in the last minute)" : "");
        } else {
            suppressed.incrementAndGet();
            LOG.debugf("cache store failing (%s: %s): circuit open again", operation, cause);
        }
    }

    private void succeeded() {
        consecutiveFailures.set(0);
        if (state.getAndSet(State.CLOSED) != State.CLOSED) {
            LOG.debug("cache store answering again: circuit closed");
            listener.stateChanged(State.CLOSED);
        }
    }

    private void failed(String operation, Throwable cause) {
        listener.failure(operation, cause);
        int failures = consecutiveFailures.incrementAndGet();
        State s = state.get();
        if (s == State.HALF_OPEN || (s == State.CLOSED && failures >= failureThreshold)) {
            openedAt.set(clock.instant());
            State before = state.getAndSet(State.OPEN);
            if (before != State.OPEN) {
                listener.stateChanged(State.OPEN);
                warnAtMostEveryMinute(operation, cause);
            }
        }
    }
}
