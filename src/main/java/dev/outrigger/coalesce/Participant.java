package dev.outrigger.coalesce;

/** One request taking part in a {@link Coalescer} flight. Callbacks come on any thread; each hops to its own. */
public interface Participant {
    /**
     * Fetch for everyone and report through {@code lead}. {@code lookFirst}: look in the store before
     * fetching — the key may have been filled since this request's lookup (the previous lease holder
     * wrote it before releasing the lease this one just took, or its signal was lost).
     */
    void lead(Lead lead, boolean lookFirst);

    /** The fetch stored its response: look it up again. */
    void filled();

    /** Fetch for yourself, not coalesced. */
    void alone(Alone why);

    /**
     * Another request fetches the key: serve a stale copy now, if this request has one it may be given,
     * and say whether it did (it then leaves the flight).
     */
    boolean servedStale();
}
