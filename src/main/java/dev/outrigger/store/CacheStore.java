package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Optional;

/**
 * Bytes under string keys, each with an expiry. Knows nothing about HTTP (DESIGN rule 4): the proxy
 * encodes responses with {@link StoredResponseCodec} and decides the time to live.
 */
public interface CacheStore {

    /** A stored value and how long it has left to live. */
    record Entry(byte[] value, Duration ttl) {}

    /** The entry stored under {@code key}, or empty when there is none or it has expired. */
    Uni<Optional<Entry>> get(String key);

    /**
     * Like {@link #get}, but when the store cannot answer now (down, too slow, skipped while its circuit is
     * open) the Uni fails instead of reading as a miss: a caller holding a copy of its own keeps using it.
     */
    default Uni<Optional<Entry>> read(String key) {
        return get(key);
    }

    /**
     * The first {@code length} bytes of the value (all of it when shorter) and its time to live, failing
     * like {@link #read} when the store cannot answer: enough to tell whether a copy held elsewhere is still
     * the current one without moving the whole value.
     */
    default Uni<Optional<Entry>> readHead(String key, int length) {
        return read(key).map(e -> e.map(v -> v.value().length <= length ? v
                : new Entry(java.util.Arrays.copyOf(v.value(), length), v.ttl())));
    }

    /**
     * {@link #readHead} for a caller that does not wait on it (it confirms a copy it serves meanwhile): a store may
     * send it a little later, together with others.
     */
    default Uni<Optional<Entry>> readHeadLater(String key, int length) {
        return readHead(key, length);
    }

    /**
     * The {@link #readHeadLater} calls this thread made are now waited for: a store that holds them back sends them
     * without waiting for others. Nothing to do for a store that does not hold them back.
     */
    default void hurry() {
    }

    /**
     * {@link #readHead} of several keys at once, answered in their order; fails as a whole like {@link #read}. A
     * store that can do it in one round trip does (Redis: one pipelined batch); this default asks key by key.
     */
    default Uni<java.util.List<Optional<Entry>>> readHeads(java.util.List<String> keys, int length) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(java.util.List.of());
        }
        return Uni.join().all(keys.stream().map(k -> readHead(k, length)).toList()).andFailFast();
    }

    /**
     * Opens the connection to the store and makes one call, allowed {@code patience}, before traffic starts:
     * the first call of a process (a connection to open, cold code) is far slower than the deadline requests
     * get. Never fails; completes when answered or when {@code patience} has passed.
     */
    default Uni<Void> warmUp(Duration patience) {
        return Uni.createFrom().voidItem();
    }

    /** Stores {@code value} under {@code key} for {@code ttl}, replacing what was there. */
    Uni<Void> put(String key, byte[] value, Duration ttl);

    /** Removes the key; true when something was removed. */
    Uni<Boolean> remove(String key);

    /**
     * As {@link #remove}, but failing where a store that gives up on calls ({@link FailOpenStore}: circuit open,
     * deadline passed) answers {@code remove} with false: for a caller that must know whether the removal was
     * made, and with it the announcement of a store that {@link #announcesWrites}. A store that wraps another passes
     * this call through to it (answering it with its own {@code remove} would hide an unanswered removal over a
     * {@code FailOpenStore}: the removal would go unannounced).
     */
    default Uni<Boolean> removeAnswered(String key) {
        return remove(key);
    }

    /**
     * Whether {@link #put} and {@link #remove} announce the change to the other pods themselves, as one step with it
     * ({@link RedisStore#announcing}); when not, the caller announces once the call has ended.
     */
    default boolean announcesWrites() {
        return false;
    }
}
