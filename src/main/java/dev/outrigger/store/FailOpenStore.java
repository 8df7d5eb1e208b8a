package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Wraps a remote store so that it can only ever slow a request by its timeout and never fail one
 * (DESIGN rule 8): every call has a deadline; an error or timeout is a miss (reads; {@link #read} says
 * so instead) or is dropped (writes); after {@code failureThreshold} failures in a row, lasting at least
 * 250 ms, the circuit opens
 * and calls skip the store for {@code openFor}, then one probe call decides whether it closes again. One
 * log line when the circuit opens, one when it closes; the listener counts the rest.
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

        /** A call that ran out of time while the store answered others: this process's queueing, not a failure. */
        default void slow(String operation) { }

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
    /**
     * Failures in a row open the circuit only once they have gone on this long: a JVM pause or a JIT-cold
     * second makes many calls time out at the same moment, and that is not a failing store.
     */
    static final long FAILING_FOR_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);
    /** System.nanoTime of the first failure in the current run. */
    private final AtomicLong runStartedAt = new AtomicLong();
    private final AtomicReference<Instant> openedAt = new AtomicReference<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.CLOSED);
    private final AtomicReference<Instant> firstOpenedAt = new AtomicReference<>();
    /** System.nanoTime of the latest answer from the store. */
    private final AtomicLong lastAnswer = new AtomicLong(NEVER);
    private static final long NEVER = Long.MIN_VALUE;
    private final AtomicLong skipped = new AtomicLong();

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
        return read(key).onFailure(Unavailable.class).recoverWithItem(Optional.empty());
    }

    @Override
    public Uni<Optional<Entry>> read(String key) {
        return guard("get", () -> delegate.get(key), readTimeout);
    }

    @Override
    public Uni<Optional<Entry>> readHead(String key, int length) {
        return guard("get", () -> delegate.readHead(key, length), readTimeout);
    }

    /** One call for all the keys: one deadline, and one answer (or failure) counted by the circuit. */
    @Override
    public Uni<java.util.List<Optional<Entry>>> readHeads(java.util.List<String> keys, int length) {
        return guard("get", () -> delegate.readHeads(keys, length), readTimeout);
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        return guard("put", () -> delegate.put(key, value, ttl), writeTimeout)
                .onFailure(Unavailable.class).recoverWithNull();
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return removeAnswered(key).onFailure(Unavailable.class).recoverWithItem(false);
    }

    /** Fails with the store's unavailability where {@link #remove} answers false. */
    @Override
    public Uni<Boolean> removeAnswered(String key) {
        return guard("remove", () -> delegate.remove(key), writeTimeout);
    }

    /**
     * One read outside the deadlines and the circuit's count: it opens the connection, and its answer tells the
     * liveness rule that the store answers, so a slow first second of traffic (a JIT-cold process) is taken for
     * this process's own slowness rather than a failing store.
     */
    @Override
    public Uni<Void> warmUp(Duration patience) {
        return delegate.readHead("outrigger:warm-up", 1).ifNoItem().after(patience).fail()
                .invoke(this::answered).replaceWithVoid()
                .onFailure().recoverWithItem(failed -> {
                    LOG.debugf("cache store did not answer its warm-up call: %s", failed);
                    return null;
                });
    }

    /** The store did not answer this call (skipped, failed or too slow); it is a miss or a write not made. */
    public static final class Unavailable extends RuntimeException {
        private Unavailable() {
            super("cache store unavailable", null, false, false); // no stack: it is an outcome, not a bug
        }
    }

    private static final Unavailable UNAVAILABLE = new Unavailable();

    /** One call to the store: settled once, by its answer or by its deadline, whichever comes first. */
    private static final class Call {
        final String operation;
        final long start = System.nanoTime();
        final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        volatile long timer = -1;

        Call(String operation) {
            this.operation = operation;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }
    }

    /**
     * Runs a call with a deadline, or skips it while the circuit is open. The deadline is a timer on the
     * caller's event loop, not on a shared scheduler thread: a reply that has reached the socket is read
     * before the timer of the same loop fires, so a busy loop delays both alike instead of turning its own
     * backlog into timeouts. Whatever the bookkeeping does, the caller is answered exactly once.
     */
    private <T> Uni<T> guard(String operation, Supplier<Uni<T>> call, Duration timeout) {
        return Uni.createFrom().emitter(emitter -> {
            if (!admit()) {
                skipped.incrementAndGet();
                emitter.fail(UNAVAILABLE);
                return;
            }
            Call c = new Call(operation);
            Context context = Vertx.currentContext();
            if (context != null) {
                deadline(context, c, timeout.toMillis(), 0, () -> emitter.fail(UNAVAILABLE));
            }
            // off an event loop (tools, tests): a plain deadline
            Uni<T> bounded = context != null ? call.get() : call.get().ifNoItem().after(timeout).fail();
            bounded.subscribe().with(item -> {
                answered();
                if (c.settle()) {
                    cancel(context, c);
                    try {
                        succeeded(c);
                    } finally {
                        emitter.complete(item);
                    }
                } // else: answered after its deadline; only the store's liveness is noted
            }, failure -> {
                if (c.settle()) {
                    cancel(context, c);
                    try {
                        failed(c, failure);
                    } finally {
                        emitter.fail(UNAVAILABLE);
                    }
                }
            });
        });
    }

    private static void cancel(Context context, Call c) {
        if (context != null && c.timer >= 0) {
            context.owner().cancelTimer(c.timer);
        }
    }

    /**
     * How many more timeouts a call is given while the store keeps answering other calls: the wait is then
     * this process's own backlog, and giving up would turn a cache read into an upstream request, which
     * costs more than the wait. A store that answers nothing gets no extension.
     */
    static final int PATIENCE = 4;

    /** Arms the deadline on the caller's event loop; when it passes, extends it while the store answers others. */
    private void deadline(Context context, Call c, long millis, int extensions, Runnable giveUp) {
        c.timer = context.owner().setTimer(Math.max(1, millis), id -> {
            if (c.settled.get()) {
                return;
            }
            // answered by the store within the deadline just passed: alive, and our own wait is the backlog
            long windowStart = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
            if (extensions < PATIENCE && answeredSince(windowStart - c.start > 0 ? windowStart : c.start)) {
                deadline(context, c, millis, extensions + 1, giveUp);
            } else if (c.settle()) {
                try {
                    failed(c, new TimeoutException("no answer within " + millis * (extensions + 1) + " ms"));
                } finally {
                    giveUp.run();
                }
            }
        });
    }

    /** Whether the store answered any call after {@code start} (System.nanoTime, compared by difference). */
    private boolean answeredSince(long start) {
        long last = lastAnswer.get();
        return last != NEVER && last - start > 0;
    }

    /** Whether a call may go to the store now; moves an open circuit to half-open once its time is up. */
    private boolean admit() {
        State s = state.get();
        if (s == State.CLOSED) {
            return true;
        }
        if (s == State.OPEN && !clock.instant().isBefore(openedAt.get().plus(openFor))) {
            synchronized (this) {
                if (state.get() == State.OPEN) {
                    state.set(State.HALF_OPEN);
                    listener.stateChanged(State.HALF_OPEN);
                    return true; // the one probe
                }
            }
        }
        return false;
    }

    private boolean runLastedLongEnough() {
        return System.nanoTime() - runStartedAt.get() >= FAILING_FOR_NANOS;
    }

    private void answered() {
        lastAnswer.accumulateAndGet(System.nanoTime(), (last, next) -> last == NEVER || next - last > 0 ? next : last);
    }

    private void succeeded(Call c) {
        listener.latency(c.operation, System.nanoTime() - c.start);
        consecutiveFailures.set(0);
        if (state.get() != State.CLOSED) {
            String line = null;
            synchronized (this) { // transitions are rare; the lock keeps their order and their notifications in step
                if (state.get() != State.CLOSED) {
                    state.set(State.CLOSED);
                    listener.stateChanged(State.CLOSED);
                    Instant since = firstOpenedAt.get();
                    line = String.format("cache store answering again: circuit closed after %ds (%d calls skipped meanwhile)",
                            since == null ? 0 : Duration.between(since, clock.instant()).toSeconds(), skipped.getAndSet(0));
                }
            }
            if (line != null) {
                LOG.info(line);
            }
        }
    }

    /**
     * Counts a failure, unless it is a timeout while the store kept answering other calls: then the wait
     * was this process's own queueing (a saturated event loop, a pool wait), not the store's, and it must
     * not open the circuit and send the cache's load to the upstream exactly when load is highest.
     */
    private void failed(Call c, Throwable cause) {
        boolean timedOut = cause instanceof TimeoutException || cause instanceof io.smallrye.mutiny.TimeoutException;
        if (timedOut && answeredSince(c.start)) {
            listener.slow(c.operation);
            return;
        }
        listener.failure(c.operation, cause);
        int failures = consecutiveFailures.incrementAndGet();
        if (failures == 1) {
            runStartedAt.set(System.nanoTime());
        }
        State s = state.get();
        if (s == State.HALF_OPEN || (s == State.CLOSED && failures >= failureThreshold && runLastedLongEnough())) {
            State before;
            synchronized (this) {
                before = state.get();
                if (before == State.OPEN || (before == State.CLOSED
                        && (consecutiveFailures.get() < failureThreshold || !runLastedLongEnough()))) {
                    return; // another call got here first, or one succeeded meanwhile
                }
                Instant now = clock.instant();
                openedAt.set(now);
                if (before == State.CLOSED) {
                    firstOpenedAt.set(now);
                }
                state.set(State.OPEN);
                listener.stateChanged(State.OPEN);
            }
            if (before == State.CLOSED) {
                // one line per outage; a failed probe that keeps it open is not news
                LOG.warnf("cache store failing (%s: %s): circuit open, the store is skipped for %s at a time until it answers; "
                        + "in-memory copies are served meanwhile and misses go to the upstream", c.operation, cause, openFor);
            } else {
                LOG.debugf("cache store still failing (%s: %s): circuit open again", c.operation, cause);
            }
        }
    }

    @Override
    public boolean announcesWrites() {
        return delegate.announcesWrites();
    }
}
