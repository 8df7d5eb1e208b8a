package dev.outrigger.coalesce;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * Who fetches a key for the whole deployment: a lease per key, and a signal to every pod when the
 * holder's fetch has ended. {@link RedisLeases} keeps them in Redis; {@link #LOCAL} has none, so each pod
 * coalesces on its own.
 */
public interface Leases extends AutoCloseable {

    /** What an attempt to take a key's lease found. */
    sealed interface Grant permits Acquired, Held, Local {}

    /** The lease is ours; extend and release it with {@code token}. */
    record Acquired(String token) implements Grant {}

    /** Another pod holds it for at most {@code remaining} more. */
    record Held(Duration remaining) implements Grant {}

    /** No shared lease to be had (no Redis, or Redis failing): coordinate within this pod only. */
    record Local() implements Grant {}

    /** What became of a lease holder's fetch, told to every pod. */
    enum Signal {
        /** The response is in the store. */
        FILLED,
        /** The response may not be shared: every waiter fetches for itself. */
        UNSHAREABLE,
        /** The fetch failed or was abandoned: someone else may take over. */
        FAILED,
        /** Not about a lease: the key was written (a newer version); local copies of it are out of date. */
        OVERWRITTEN,
        /** Not about a lease: the key was removed (invalidated); local copies of it must go. */
        REMOVED
    }

    /** Tries to take the lease of {@code key}. Never fails: trouble with the shared store gives {@link Local}. */
    Uni<Grant> acquire(String key);

    /**
     * Tries to take the lease of {@code key} for {@code ttl} rather than the usual lease time: an election for that
     * long (the warmer's round), left to expire rather than released. Never fails.
     */
    default Uni<Grant> acquire(String key, Duration ttl) {
        return acquire(key);
    }

    /** Pushes the lease's expiry out again, if it is still ours. Never fails. */
    Uni<Void> extend(String key, String token);

    /** Releases the lease, if it is still ours, and tells every pod {@code signal}. Never fails. */
    Uni<Void> release(String key, String token, Signal signal);

    /**
     * Tells every other pod that {@code key} was just written ({@link Signal#OVERWRITTEN}: their local copies are
     * confirmed before use) or removed ({@link Signal#REMOVED}: their local copies go). Never fails.
     */
    Uni<Void> announce(String key, Signal what);

    /**
     * Whether {@link #heartbeat} tells when this pod has heard every signal sent before a moment: true where
     * one server hands out every signal in the order it handled them (a single Redis), false where signals
     * can overtake one another (a Redis Cluster relays them between nodes) or there are none.
     */
    default boolean heartbeats() {
        return false;
    }

    /**
     * Sends a heartbeat stamped {@code stamp} to this pod alone, through the same stream as the other pods'
     * signals: once {@link Listener#caughtUp} hears it back, every signal sent before the heartbeat has been
     * heard. Never fails (a heartbeat lost is one not heard back).
     */
    default Uni<Void> heartbeat(long stamp) {
        return Uni.createFrom().voidItem();
    }

    /** Receives signals, on any thread. */
    interface Listener {
        /** {@code fromThisPod}: this pod sent it (lease signals come back to their sender too; write announcements do not). */
        void heard(Signal signal, String key, boolean fromThisPod);

        /**
         * The signal subscription has just been (re)opened, the first time included: signals sent before
         * it was may never arrive (those are lost, not delayed), so whatever they would have told is to be
         * made safe now. Signals sent from now on arrive.
         */
        default void mayHaveMissedSignals() { }

        /**
         * This pod's heartbeat stamped {@code stamp} came back: every signal sent before it has been heard (and
         * handed to {@link #heard} before this call, on this thread).
         */
        default void caughtUp(long stamp) { }

        /** Another pod could not announce some of its writes: every local copy is to be confirmed before its next use. */
        default void announcementsLost() { }
    }

    /** Where signals arrive. */
    void listen(Listener listener);

    /**
     * Completes once signals from the other pods reach this one (the subscription is confirmed), at once
     * when it does now or when there are no other pods to hear. Never fails; it does not complete while
     * the shared store is unreachable, so callers bound it.
     */
    default Uni<Void> whenListening() {
        return Uni.createFrom().voidItem();
    }

    @Override
    default void close() { }

    /** No shared leases: every acquisition is {@link Local}, no signals. */
    Leases LOCAL = new Leases() {
        @Override
        public Uni<Grant> acquire(String key) {
            return Uni.createFrom().item(new Local());
        }

        @Override
        public Uni<Void> extend(String key, String token) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> release(String key, String token, Signal signal) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> announce(String key, Signal what) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public void listen(Listener listener) { }
    };
}
