package dev.outrigger.warm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most requested targets, learned from traffic: a count per (host, target), in a bounded table (Caffeine's
 * frequency-based admission keeps the frequent ones when it is full), halved at every warming run so old popularity
 * fades. Recording is one table lookup and an increment, on any event loop.
 */
public final class TopTargets {

    /** Learns nothing: warming from the list alone. */
    public static final TopTargets NONE = new TopTargets(0);

    private final Cache<String, AtomicLong> counts;
    private final boolean learning;

    /** Targets longer than this are not learned (a query that long is rarely a popular page). */
    static final int MAX_TARGET = 1024;

    /** Keeps about {@code capacity} targets of 128 characters; by characters, so long ones take more room. */
    public TopTargets(int capacity) {
        this.learning = capacity > 0;
        this.counts = Caffeine.newBuilder().maximumWeight(Math.max(1, capacity) * 128L)
                .weigher((String key, AtomicLong v) -> key.length()).build();
    }

    /** For the warmer's top N: room for ten times as many candidates, at least a thousand. */
    public static TopTargets forTop(int top) {
        return top <= 0 ? NONE : new TopTargets(Math.max(1000, top * 10));
    }

    public boolean learning() {
        return learning;
    }

    /** A client asked for {@code target} of {@code authority} (one the cache looks up and stores for everyone). */
    public void record(String authority, String target) {
        if (learning && target.length() <= MAX_TARGET) {
            counts.get(authority + ' ' + target, k -> new AtomicLong()).incrementAndGet();
        }
    }

    /** The {@code n} most requested, most first. */
    public List<WarmTarget> top(int n) {
        return counts.asMap().entrySet().stream()
                .filter(e -> e.getValue().get() > 0)
                .sorted(Comparator.comparingLong((java.util.Map.Entry<String, AtomicLong> e) -> e.getValue().get()).reversed()
                        .thenComparing(java.util.Map.Entry::getKey))
                .limit(n)
                .map(e -> {
                    int space = e.getKey().indexOf(' ');
                    return new WarmTarget(e.getKey().substring(0, space), e.getKey().substring(space + 1));
                })
                .toList();
    }

    /** Halves every count (and forgets those at zero): what was popular long ago weighs less. */
    public void decay() {
        counts.asMap().entrySet().removeIf(e -> e.getValue().updateAndGet(c -> c / 2) == 0);
    }
}
