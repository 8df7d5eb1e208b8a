package dev.outrigger.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * An in-process store bounded by bytes (Caffeine, weighed by key and value size), each entry expiring
 * after its own time to live. Time comes from the injected clock, so tests move it instead of waiting.
 */
public final class MemoryStore implements CacheStore {

    /** Bookkeeping per entry beyond its key and value (object headers, map node, expiry fields). */
    static final int ENTRY_OVERHEAD = 96;

    private record Held(byte[] value, long ttlNanos) {}

    private final Cache<String, Held> cache;

    public MemoryStore(long maxBytes, Clock clock) {
        Ticker ticker = () -> clock.millis() * 1_000_000L;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Held e) -> (int) Math.min(Integer.MAX_VALUE, weight(k, e.value())))
                .expireAfter(new Expiry<String, Held>() {
                    @Override
                    public long expireAfterCreate(String key, Held e, long now) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Held e, long now, long remaining) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Held e, long now, long remaining) {
                        return remaining;
                    }
                })
                .ticker(ticker)
                .executor(Runnable::run) // maintenance on the caller: no hidden threads, deterministic in tests
                .build();
    }

    static long weight(String key, byte[] value) {
        return 2L * key.length() + value.length + ENTRY_OVERHEAD;
    }

    @Override
    public Uni<Optional<CacheStore.Entry>> get(String key) {
        Held e = cache.getIfPresent(key);
        if (e == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        Duration left = cache.policy().expireVariably().flatMap(p -> p.getExpiresAfter(key)).orElse(Duration.ZERO);
        return Uni.createFrom().item(Optional.of(new CacheStore.Entry(e.value(), left)));
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            cache.invalidate(key);
        } else {
            cache.put(key, new Held(value, ttl.toNanos()));
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return Uni.createFrom().item(cache.asMap().remove(key) != null);
    }

    /** Removes every entry. */
    public void clear() {
        cache.invalidateAll();
    }

    /** Bytes currently held, as weighed (for the L1 size meter). */
    public long weightedSize() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }
}
