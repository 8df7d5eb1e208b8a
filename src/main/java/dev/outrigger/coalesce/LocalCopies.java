package dev.outrigger.coalesce;

import java.util.function.LongConsumer;

/** What this pod keeps apart from the shared store, as other pods' signals affect it; calls come on any thread. */
public interface LocalCopies {
    /**
     * Another pod has just written {@code key} (filled or overwritten), before this pod's waiters look it up
     * again: a local copy may be older, and is to be confirmed with the shared store before it is used again.
     */
    void distrust(String key);

    /** Another pod removed {@code key} (invalidated: an unsafe method, a 304 that made it private): the copy goes. */
    void forget(String key);

    /**
     * Signals may have been missed (the subscription was down): every local copy is to be confirmed before
     * its next use, as another pod may have overwritten any of them meanwhile.
     */
    void distrustAll();

    /**
     * Given where signals run in order ({@link Leases#heartbeats}): {@code send} sends a heartbeat stamped with its
     * argument, answered by {@link #caughtUp} once it comes back.
     */
    default void heartbeatWith(LongConsumer send) { }

    /**
     * Every signal sent before the heartbeat stamped {@code stamp} has been heard (and passed on to
     * {@link #distrust}, {@link #forget} or {@link #distrustAll} before this call, on this thread).
     */
    default void caughtUp(long stamp) { }

    LocalCopies NONE = new LocalCopies() {
        @Override
        public void distrust(String key) { }

        @Override
        public void forget(String key) { }

        @Override
        public void distrustAll() { }
    };
}
