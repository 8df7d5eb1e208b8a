package dev.outrigger.coalesce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Varnish's hit-for-miss: keys whose last response could not be shared (private, Set-Cookie, too large...).
 * For a while their misses are not coalesced: a waiter would only be told to fetch for itself after the
 * leader's round trip. Bounded in size; timed by the injected clock.
 */
final class HitForMiss {

    private final Cache<String, Boolean> keys;

    HitForMiss(Duration period, Clock clock) {
        this.keys = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(period)
                .ticker(() -> clock.millis() * 1_000_000L)
                .build();
    }

    void mark(String key) {
        keys.put(key, Boolean.TRUE);
    }

    boolean contains(String key) {
        return keys.getIfPresent(key) != null;
    }
}
