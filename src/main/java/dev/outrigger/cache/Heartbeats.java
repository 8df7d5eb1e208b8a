package dev.outrigger.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * What this pod's heartbeats say about its copies ({@link TieredResponses}). Where the other replicas'
 * announcements reach the pod in the order Redis handled them (one server), the pod sends itself a heartbeat
 * through the same connection; once it comes back, every announcement sent before it has been heard and applied.
 * A copy that a read of the shared store confirmed, and that nothing distrusted since, is then as good as
 * confirmed when that heartbeat was sent.
 */
final class Heartbeats {

    /** No heartbeat heard back, none sent: far enough in the past that subtracting it cannot overflow. */
    private static final long NEVER = Long.MIN_VALUE / 4;

    private final long halfBoundMillis;
    /** Sends a heartbeat with the given stamp; null where none run (memory alone, a Redis Cluster). */
    private volatile LongConsumer send;
    /** The stamp of the latest heartbeat heard back. */
    private volatile long caughtUpTo = NEVER;
    private final AtomicLong sentAt = new AtomicLong(NEVER);

    Heartbeats(long boundMillis) {
        this.halfBoundMillis = Math.max(1, boundMillis / 2);
    }

    void sendWith(LongConsumer send) {
        this.send = send;
    }

    /** Called on the subscription's thread, after every announcement heard before it has been applied. */
    void caughtUp(long stamp) {
        if (stamp > caughtUpTo) {
            caughtUpTo = stamp;
        }
    }

    /**
     * The stamp of the last heartbeat heard back. Read it before the copy's confirmation time: a distrust heard
     * before that heartbeat is then seen in the copy (both are written by the subscription's thread, in that order).
     */
    long caughtUpTo() {
        return caughtUpTo;
    }

    /**
     * How long ago the heartbeats vouched for {@code c}, last confirmed at {@code confirmed}, given {@code caughtUp} read
     * before it ({@link #caughtUpTo}); {@code Long.MAX_VALUE} when they cannot (none run here, something distrusted it,
     * or no read of the shared store has confirmed it). Sends the next heartbeat when the last one heard back is half a
     * bound old (at most one per half bound), so a copy in steady use stays vouched for.
     */
    long vouchedSince(Copy c, long confirmed, long caughtUp, long now) {
        LongConsumer out = send;
        if (out == null || !c.vouchable(confirmed)) {
            return Long.MAX_VALUE;
        }
        long sent = sentAt.get();
        if (now - caughtUp >= halfBoundMillis && now - sent >= halfBoundMillis && sentAt.compareAndSet(sent, now)) {
            out.accept(now);
        }
        return now - caughtUp;
    }
}
