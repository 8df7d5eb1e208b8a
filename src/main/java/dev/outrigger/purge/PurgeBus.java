package dev.outrigger.purge;

import io.smallrye.mutiny.Uni;

/** Carries purges to every replica. Without Redis ({@link #local}) there is only this one. */
public interface PurgeBus extends AutoCloseable {

    /** What the bus did, for meters; implementations must not block. */
    interface Listener {
        /** A purge was applied in this pod. */
        default void applied(Purge p) { }

        /** A purge issued elsewhere arrived here this long after it was issued. */
        default void broadcastLag(long millis) { }

        /** A message on the channel was not a purge. */
        default void rejected() { }

        Listener NONE = new Listener() { };
    }

    /**
     * Applies the purge in this pod, keeps it for replicas that start later, and tells every replica.
     * Fails when the others could not be told (the purge then holds in this pod only).
     */
    Uni<Void> purge(Purge p);

    /** This pod's records. */
    Purges purges();

    /**
     * Completes once purges from the other replicas reach this one and those already made have been read
     * (at once for a single replica). Never fails; it does not complete while Redis is unreachable, so
     * callers bound it.
     */
    default Uni<Void> whenReady() {
        return Uni.createFrom().voidItem();
    }

    @Override
    default void close() { }

    /** A single replica: applied here, nowhere else to tell. */
    static PurgeBus local(Purges purges, Listener listener) {
        return new PurgeBus() {
            @Override
            public Uni<Void> purge(Purge p) {
                purges.apply(p);
                listener.applied(p);
                return Uni.createFrom().voidItem();
            }

            @Override
            public Purges purges() {
                return purges;
            }
        };
    }
}
