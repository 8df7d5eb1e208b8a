package dev.outrigger.coalesce;

/** What the {@link Coalescer} did, for meters; implementations must not block. */
public interface CoalesceListener {
    /** A request waits for another's fetch. */
    default void waiting() { }

    /** A lease was taken in the shared store. */
    default void leaseTaken() { }

    /** A waiter took over the fetch after the previous holder failed or went silent. */
    default void takeover() { }

    /** A waiter ran out its bound and fetched for itself. */
    default void waitTimedOut() { }

    /** Requests answered without a fetch of their own: from another's fill, or stale while another fetched. */
    default void saved(int requests) { }

    CoalesceListener NONE = new CoalesceListener() { };
}
