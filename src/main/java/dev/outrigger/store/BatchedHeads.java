package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A store whose {@link #readHead} calls are sent together, as one {@link CacheStore#readHeads} — one Redis round
 * trip, one deadline — instead of one call each. Each event loop keeps a batch of its own: a {@link #readHead} a
 * request waits for is sent at the end of the loop's turn it was made in, with whatever else that turn's socket
 * reads asked for; a {@link #readHeadLater} nobody waits for (a confirmation of a copy served meanwhile) goes with
 * the loop's next batch, or within {@link #LATER} at most; {@link #hurry} sends it at the end of the turn once
 * someone does wait. Past {@link #MAX_BATCH} keys a batch goes at once. So a request waits for Redis no longer
 * than its own loop's turn plus the store's deadline, as a call of its own would. Off an event loop, and for
 * every other operation, calls go straight through. Not for a Redis Cluster: its keys live in different slots,
 * so a batch would be sent key by key and fail as one.
 */
public final class BatchedHeads implements CacheStore {

    /** A batch is sent as soon as it holds this many keys. */
    static final int MAX_BATCH = 256;
    /** How long a confirmation nobody waits for may wait for others to go with. */
    static final Duration LATER = Duration.ofMillis(10);

    private final CacheStore delegate;
    private final Listener listener;
    /** The batch of the event loop running on this thread; touched by that thread alone. */
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    /** Sizes of the batches sent, for meters and tests. */
    public interface Listener {
        void batch(int keys);

        Listener NONE = keys -> { };
    }

    /** One caller's key, waiting for its batch. */
    private record Pending(String key, int length, UniEmitter<? super Optional<Entry>> emitter) {}

    /** One event loop's keys asked for since its last batch went out, and how that batch will be sent. */
    private static final class Batch {
        List<Pending> pending = new ArrayList<>();
        /** A send is queued for the end of the loop's turn. */
        boolean atTurnEnd;
        /** A timer will send it. */
        boolean timed;
    }

    public BatchedHeads(CacheStore delegate, Listener listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override
    public Uni<Optional<Entry>> readHead(String key, int length) {
        return read(key, length, true);
    }

    @Override
    public Uni<Optional<Entry>> readHeadLater(String key, int length) {
        return read(key, length, false);
    }

    private Uni<Optional<Entry>> read(String key, int length, boolean waitedFor) {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            return delegate.readHead(key, length);
        }
        return Uni.createFrom().emitter(emitter -> add(context, new Pending(key, length, emitter), waitedFor));
    }

    /** On the context's event loop. */
    private void add(Context context, Pending p, boolean waitedFor) {
        Batch batch = batches.get();
        batch.pending.add(p);
        if (batch.pending.size() >= MAX_BATCH) {
            send(take(batch));
        } else if (waitedFor) {
            atTurnEnd(context, batch);
        } else if (!batch.atTurnEnd && !batch.timed) {
            batch.timed = true;
            context.owner().setTimer(LATER.toMillis(), id -> sendPending(batch));
        }
    }

    /** The reads this event loop asked for later are now waited for: they go at the end of this turn. */
    @Override
    public void hurry() {
        Context context = Vertx.currentContext();
        if (context != null && Context.isOnEventLoopThread()) {
            Batch batch = batches.get();
            if (!batch.pending.isEmpty()) {
                atTurnEnd(context, batch);
            }
        }
    }

    private void atTurnEnd(Context context, Batch batch) {
        if (!batch.atTurnEnd) {
            batch.atTurnEnd = true;
            // after the socket reads of this turn of the loop: the other hits it handles join this batch
            context.runOnContext(v -> sendPending(batch));
        }
    }

    private static List<Pending> take(Batch batch) {
        List<Pending> taken = batch.pending;
        batch.pending = new ArrayList<>();
        batch.atTurnEnd = false;
        batch.timed = false;
        return taken;
    }

    /** The loop's batch, if it still holds anything (a timer and a turn's end may both come for it). */
    private void sendPending(Batch batch) {
        if (batch.pending.isEmpty()) {
            batch.atTurnEnd = false;
            batch.timed = false;
            return;
        }
        send(take(batch));
    }

    private void send(List<Pending> batch) {
        // almost always one length (a copy's identity bytes); one call per length otherwise
        Map<Integer, List<Pending>> byLength = new LinkedHashMap<>();
        for (Pending p : batch) {
            byLength.computeIfAbsent(p.length(), l -> new ArrayList<>()).add(p);
        }
        byLength.forEach((length, group) -> {
            listener.batch(group.size());
            List<String> keys = group.stream().map(Pending::key).toList();
            // every caller is answered exactly once, whatever the store does: an answer for each key, or the failure
            Uni.createFrom().deferred(() -> delegate.readHeads(keys, length)).subscribe().with(heads -> {
                if (heads.size() != group.size()) {
                    failAll(group, new IllegalStateException("the store answered " + heads.size() + " of " + group.size() + " keys"));
                    return;
                }
                for (int i = 0; i < group.size(); i++) {
                    try {
                        group.get(i).emitter().complete(heads.get(i));
                    } catch (RuntimeException e) {
                        // one caller's own failure: the others are still answered
                    }
                }
            }, failure -> failAll(group, failure));
        });
    }

    private static void failAll(List<Pending> group, Throwable failure) {
        group.forEach(p -> p.emitter().fail(failure));
    }

    @Override
    public Uni<Optional<Entry>> get(String key) {
        return delegate.get(key);
    }

    @Override
    public Uni<Optional<Entry>> read(String key) {
        return delegate.read(key);
    }

    @Override
    public Uni<List<Optional<Entry>>> readHeads(List<String> keys, int length) {
        return delegate.readHeads(keys, length);
    }

    @Override
    public Uni<Void> warmUp(Duration patience) {
        return delegate.warmUp(patience);
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        return delegate.put(key, value, ttl);
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return delegate.remove(key);
    }

    @Override
    public Uni<Boolean> removeAnswered(String key) {
        return delegate.removeAnswered(key);
    }

    @Override
    public boolean announcesWrites() {
        return delegate.announcesWrites();
    }
}
