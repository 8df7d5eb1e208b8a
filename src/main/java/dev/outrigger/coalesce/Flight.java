package dev.outrigger.coalesce;

import dev.outrigger.coalesce.Leases.Signal;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One key's fetch in this pod: its state, its waiters in arrival order, the round being led and the lease
 * it holds, and the timers that bound them. The {@link Coalescer} moves it from state to state; every field
 * is guarded by the flight's lock (the instance), and every method here is called holding it.
 */
final class Flight {

    enum State {
        /** Asking for the lease (or about to act on a leader's report). */
        ACQUIRING,
        /** One participant of this pod fetches. */
        LEADING,
        /** Another pod holds the lease; this pod waits for its signal. */
        FOLLOWING,
        /** Over: out of the coalescer's map, its waiters released. */
        ENDED
    }

    /** A participant waiting in this flight, and the timer that bounds its wait. */
    static final class Waiter {
        final Participant participant;
        long timer = -1;

        Waiter(Participant participant) {
            this.participant = participant;
        }
    }

    final String key;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    State state = State.ACQUIRING;
    /** The lease held while leading; null for a local lead. */
    String token;
    /** A signal heard while the lease was being asked for, acted on once we know whether we follow. */
    Signal pending;
    int round;
    int failures;
    long leaseTimer = -1;
    long extendTimer = -1;
    long leadTimer = -1;

    private final Vertx vertx;

    Flight(String key, Vertx vertx) {
        this.key = key;
        this.vertx = vertx;
    }

    /** Queues a waiter; the caller sets its timer. */
    Waiter add(Participant p) {
        Waiter w = new Waiter(p);
        waiters.add(w);
        return w;
    }

    /** The longest-waiting participant, taken out of the queue (its timer cancelled); null when none. */
    Participant poll() {
        Waiter w = waiters.poll();
        if (w == null) {
            return null;
        }
        cancel(w.timer);
        return w.participant;
    }

    /**
     * Starts a round led by this pod with {@code token} (null: a local lead); returns the round's number.
     * A signal about an earlier holder's fetch says nothing about ours, so a pending one is dropped.
     */
    int lead(String token) {
        state = State.LEADING;
        this.token = token;
        pending = null;
        return ++round;
    }

    /**
     * The report of {@code round}: the lease token it held ({@code ""} for a local lead) when this is that round's
     * first report, null when the round was replaced or the flight ended. The flight is then neither leading nor
     * ended until the report is acted on; the round's timers stop.
     */
    String report(int round) {
        if (this.round != round || state != State.LEADING) {
            return null;
        }
        state = State.ACQUIRING;
        cancel(extendTimer);
        cancel(leadTimer);
        extendTimer = -1;
        leadTimer = -1;
        return token == null ? "" : token;
    }

    /** Ends the flight: every timer stops; returns who was waiting, in order. The caller takes it out of the map. */
    List<Participant> end() {
        state = State.ENDED;
        cancel(leaseTimer);
        cancel(extendTimer);
        cancel(leadTimer);
        List<Participant> waiting = new ArrayList<>(waiters.size());
        for (Waiter w : waiters) {
            cancel(w.timer);
            waiting.add(w.participant);
        }
        waiters.clear();
        return waiting;
    }

    void cancel(long timer) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
