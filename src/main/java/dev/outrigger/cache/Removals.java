package dev.outrigger.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.outrigger.store.StoredResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When keys were last removed, here or (heard) on another replica, for ten minutes: what was fetched before a
 * removal is what it removed. A write of it is not stored (a compressed write lands a while after its fetch), and
 * a read of it back from the shared store, which still holds it when the removal's DEL never got there (the
 * remover's circuit open, its call timed out), reads as absent.
 */
final class Removals {

    private final Cache<String, Instant> removedAt = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(10)).build();
    private final Clock clock;

    Removals(Clock clock) {
        this.clock = clock;
    }

    /** {@code key} is removed now. */
    void record(String key) {
        removedAt.put(key, clock.instant());
    }

    /** Whether the key was removed after {@code fetchedAt}: what was fetched then is out of date. */
    boolean since(String key, Instant fetchedAt) {
        Instant at = removedAt.getIfPresent(key);
        return at != null && at.isAfter(fetchedAt);
    }

    /** Whether {@code r}, read under {@code key}, was fetched before a removal of the key (a variant's: of its URL's). */
    boolean undone(String key, StoredResponse r) {
        return since(key, r.requestTime()) || Variants.baseKey(key).filter(base -> since(base, r.requestTime())).isPresent();
    }
}
