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
 * trip, one deadline — instead of one call each. A request waits for {@link #readHead}: it is sent at the end of
 * the event-loop turn it was made in (with the others that turn's socket reads asked for). Nobody waits for
 * {@link #readHeadLater} (a confirmation of a copy served meanwhile): it goes with the next batch, or within
 * {@link #LATER} at most. Past {@link #MAX_BATCH} keys a batch goes at once. Every other operation goes straight
 * through.
 */
public final class BatchedHeads implements CacheStore {

    /** A batch is sent as soon as it holds this many keys. */
    static final int MAX_BATCH = 256;
    /** How long a confirmation nobody waits for may wait for others to go with. */
    static final Duration LATER = Duration.ofMillis(10);

    private final CacheStore delegate;
    private final Vertx vertx;
    private final Listener listener;

    /** Sizes of the batches sent, for meters and tests. */
    public interface Listener {
        void batch(int keys);

        Listener NONE = keys -> { };
    }

    /** One caller's key, waiting for its batch. */
    private record Pending(String key, int length, UniEmitter<? super Optional<Entry>> emitter) {}

    // Guarded by this: the keys asked for since the last batch went out; whether its sending is scheduled for the
    // end of an event-loop turn, and whether a timer will send it.
    private List<Pending> pending = new ArrayList<>();
    private boolean scheduled;
    private boolean timed;

    public BatchedHeads(CacheStore delegate, Vertx vertx, Listener listener) {
        this.delegate = delegate;
        this.vertx = vertx;
        this.listener = listener;
    }

    @Override
    public Uni<Optional<Entry>> readHead(String key, int length) {
        return Uni.createFrom().emitter(emitter -> add(new Pending(key, length, emitter), true));
    }

    @Override
    public Uni<Optional<Entry>> readHeadLater(String key, int length) {
        return Uni.createFrom().emitter(emitter -> add(new Pending(key, length, emitter), false));
    }

    private void add(Pending p, boolean waitedFor) {
        List<Pending> full = null;
        boolean schedule = false;
        boolean time = false;
        synchronized (this) {
            pending.add(p);
            if (pending.size() >= MAX_BATCH) {
                full = take();
            } else if (waitedFor && !scheduled) {
                scheduled = true;
                schedule = true;
            } else if (!waitedFor && !scheduled && !timed) {
                timed = true;
                time = true;
            }
        }
        if (full != null) {
            send(full);
        } else if (time) {
            vertx.setTimer(LATER.toMillis(), id -> sendPending());
        } else if (schedule) {
            // after the socket reads of this turn of the loop: the other hits it handles join this batch
            Context context = Vertx.currentContext();
            if (context != null) {
                context.runOnContext(v -> sendPending());
            } else {
                vertx.runOnContext(v -> sendPending());
            }
        }
    }

    /** Under the lock: what is pending, taken out. */
    private List<Pending> take() {
        List<Pending> batch = pending;
        pending = new ArrayList<>();
        scheduled = false;
        timed = false;
        return batch;
    }

    private void sendPending() {
        List<Pending> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                scheduled = false;
                timed = false;
                return;
            }
            batch = take();
        }
        send(batch);
    }

    private void send(List<Pending> batch) {
        // almost always one length (a copy's identity bytes); one call per length otherwise
        Map<Integer, List<Pending>> byLength = new LinkedHashMap<>();
        for (Pending p : batch) {
            byLength.computeIfAbsent(p.length(), l -> new ArrayList<>()).add(p);
        }
        byLength.forEach((length, group) -> {
            listener.batch(group.size());
            delegate.readHeads(group.stream().map(Pending::key).toList(), length).subscribe().with(heads -> {
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).emitter().complete(heads.get(i));
                }
            }, failure -> group.forEach(p -> p.emitter().fail(failure)));
        });
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
}
