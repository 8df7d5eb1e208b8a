package dev.outrigger.coalesce;

/** Why a {@link Participant} is told to fetch for itself. */
public enum Alone {
    /** The response could not be given to others (private, no-store, Set-Cookie, too large, ...). */
    UNSHAREABLE,
    /** The participant waited its whole bound. */
    WAIT_TIMED_OUT,
    /** Fetches kept failing; a new one per request, as without coalescing. */
    FAILED
}
