package dev.outrigger.coalesce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * When keys were last filled (System.nanoTime), in this pod or announced by another: a request whose lookup
 * missed just before a fill landed would otherwise find no flight and fetch again.
 */
final class RecentFills {

    private final Cache<String, Long> fills = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(10)).build();

    void filledNow(String key) {
        fills.put(key, System.nanoTime());
    }

    /** Whether the key was filled at or after {@code since} (a System.nanoTime). */
    boolean filledSince(String key, long since) {
        Long at = fills.getIfPresent(key);
        return at != null && at - since >= 0;
    }
}
