package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * L1 (in-process) in front of L2 (shared). Reads try L1, then fill it from L2; writes go to L2, then L1.
 * An L1 copy lives at most {@code l1Bound} and never longer than the entry itself, so a newer version
 * another replica wrote to L2 is seen here within {@code l1Bound}.
 */
public final class TieredStore implements CacheStore {

    private final MemoryStore l1;
    private final CacheStore l2;
    private final Duration l1Bound;
    private final Map<String, Uni<Optional<Entry>>> filling = new ConcurrentHashMap<>();

    public TieredStore(MemoryStore l1, CacheStore l2, Duration l1Bound) {
        this.l1 = l1;
        this.l2 = l2;
        this.l1Bound = l1Bound;
    }

    @Override
    public Uni<Optional<Entry>> get(String key) {
        return l1.get(key).chain(local -> local.isPresent() ? Uni.createFrom().item(local) : fill(key));
    }

    /**
     * One L2 read per key at a time: when a hot key's L1 copy lapses, every concurrent request for it
     * would otherwise read the same value from L2 at once.
     */
    private Uni<Optional<Entry>> fill(String key) {
        return filling.computeIfAbsent(key, k -> {
            Object[] self = new Object[1];
            Uni<Optional<Entry>> read = l2.get(k)
                    // A fill overtaken by a write or an eviction of the key (its value is older) gives its value
                    // to the requests that asked, but does not put it back into L1.
                    .call(shared -> shared.isPresent() && filling.get(k) == self[0]
                            ? l1.put(k, shared.get().value(), bounded(shared.get().ttl()))
                            : Uni.createFrom().voidItem())
                    .onTermination().invoke(() -> filling.remove(k, self[0]))
                    .memoize().indefinitely();
            self[0] = read;
            return read;
        });
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        return l2.put(key, value, ttl).chain(() -> {
            filling.remove(key);
            return l1.put(key, value, bounded(ttl));
        });
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return l2.remove(key).chain(removed -> {
            filling.remove(key);
            return l1.remove(key).map(local -> removed || local);
        });
    }

    @Override
    public void evictLocal(String key) {
        filling.remove(key);
        l1.remove(key).subscribe().with(removed -> { });
    }

    @Override
    public void evictAllLocal() {
        // Fills in flight no longer find themselves in the map, so they do not put their value back.
        filling.clear();
        l1.clear();
    }

    private Duration bounded(Duration ttl) {
        return ttl.compareTo(l1Bound) < 0 ? ttl : l1Bound;
    }
}
