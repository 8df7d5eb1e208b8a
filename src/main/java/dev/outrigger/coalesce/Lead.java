package dev.outrigger.coalesce;

/** A flight leader's report. Only its first call counts. */
public interface Lead {
    /** The response is in the store. */
    void filled();

    /**
     * Looking first, the leader found the key already filled (by the previous holder, whose signal had not
     * arrived yet): as {@link #filled}, but no fetch was taken over.
     */
    void foundFilled();

    /** The response may not be shared (waiters fetch for themselves; the key skips coalescing a while). */
    void unshareable();

    /** The fetch failed or was abandoned. */
    void failed();

    /** This participant cannot lead after all (its client left); another is asked, no failure counted. */
    void declined();
}
