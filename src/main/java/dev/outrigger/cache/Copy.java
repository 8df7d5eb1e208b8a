package dev.outrigger.cache;

import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.StoredValue;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A value this pod holds ({@link TieredResponses}): decoded, its response made servable, until {@code expiresAt} (epoch ms);
 * {@code identity}: the leading bytes of its encoded form that tell its version apart (empty when there is
 * nothing to compare, as for a variant index or in memory alone).
 */
public final class Copy {
    /** A copy no longer trusted is confirmed with the shared store before its next use. */
    private static final long NEVER_CONFIRMED = Long.MIN_VALUE / 4;
    /** Each distrust writes a value of its own, so that no confirmation read before it can match it. */
    private static final AtomicLong DISTRUSTS = new AtomicLong();

    private final StoredValue value;
    private final Servable servable;
    private final long expiresAt;
    private final byte[] identity;
    /**
     * When the shared store last said this is the current version (epoch ms); far in the past once distrusted. A
     * field rather than a new copy per confirmation: confirming is a compare-and-set, not a cache write (an
     * AtomicLong rather than a VarHandle: nothing for the native image to register).
     */
    private final AtomicLong confirmedAt;
    /**
     * No read of the shared store has said this is the current version yet: this pod wrote it (another replica's
     * write may have followed, its announcement heard before this copy went in; or the write never landed), or it
     * was kept when the store could not answer. Heartbeats do not vouch for it until a read confirms it. Set before,
     * cleared after, {@link #confirmedAt} changes.
     */
    private volatile boolean unverified;

    private Copy(StoredValue value, Servable servable, long expiresAt, long confirmedAt, byte[] identity) {
        this.value = value;
        this.servable = servable;
        this.expiresAt = expiresAt;
        this.confirmedAt = new AtomicLong(confirmedAt);
        this.identity = identity;
    }

    static Copy of(StoredValue value, long expiresAt, long confirmedAt, byte[] identity) {
        return new Copy(value, value instanceof StoredResponse r ? Servable.of(r) : null, expiresAt, confirmedAt, identity);
    }

    /** A copy of what this pod has just written at {@code at}: used for the bound, confirmed by a read after it. */
    static Copy written(StoredValue value, long expiresAt, long at, byte[] identity) {
        Copy c = of(value, expiresAt, at, identity);
        c.unverified = true;
        return c;
    }

    public StoredValue value() {
        return value;
    }

    Servable servable() {
        return servable;
    }

    long expiresAt() {
        return expiresAt;
    }

    long confirmedAt() {
        return confirmedAt.get();
    }

    byte[] identity() {
        return identity;
    }

    public Duration ttl(long now) {
        return Duration.ofMillis(Math.max(0, expiresAt - now));
    }

    /** Confirmed at {@code at}, unless it was distrusted (or confirmed) since {@code seen} was read from it. */
    boolean confirm(long seen, long at) {
        if (confirmedAt.compareAndSet(seen, at)) {
            unverified = false;
            return true;
        }
        return false;
    }

    /**
     * The shared store could not answer about it: asked again a bound after {@code at} (unless it was distrusted or
     * confirmed since {@code seen}), and not vouched for by heartbeats meanwhile.
     */
    void keptUnverified(long seen, long at) {
        unverified = true;
        confirmedAt.compareAndSet(seen, at);
    }

    /**
     * Whether heartbeats may vouch for it, given {@code confirmedAt} read from it just before: nothing distrusted it
     * since, and a read of the shared store said it is current.
     */
    boolean vouchable(long confirmedAt) {
        return confirmedAt > NEVER_CONFIRMED && !unverified;
    }

    /** Confirmed with the shared store before its next use. */
    void distrust() {
        confirmedAt.set(NEVER_CONFIRMED - DISTRUSTS.incrementAndGet());
    }
}
