package dev.outrigger.purge;

import dev.outrigger.policy.RequestTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This pod's copy of every purge still relevant, checked when an entry is looked up. A purge is a set of
 * <em>records</em> (everything, a URL, a prefix, a tag), each with a threshold: an entry whose stamp (when
 * its fetch started) is before the threshold is invalidated — dropped (hard) or made stale (soft). Nothing
 * is enumerated or deleted, so a purge costs the same for ten entries or ten million, and there is no
 * index of entries to keep in step: an entry carries its tags, a record lives only as long as an entry
 * could (the longest time to live the cache stores). The same record purged again keeps one threshold,
 * the latest, so the records held are bounded by the distinct things purged within that time.
 *
 * <p>Thresholds are the purging pod's time plus {@code skew} (clock differences between pods), and a
 * pod never stamps a fetch earlier than a threshold it already applied, so a refresh started after a
 * purge is never mistaken for an entry from before it. Thread-safe.
 */
public final class Purges {

    /** What a purge makes of a looked-up entry. */
    public enum Verdict { NONE, SOFT, HARD }

    /** Record key of a full flush. */
    static final String ALL = "a";

    private final Clock clock;
    private final long skewMicros;
    private final long retentionMicros;
    private final Map<String, Long> hard = new ConcurrentHashMap<>();
    private final Map<String, Long> soft = new ConcurrentHashMap<>();
    private final Map<String, Long> hardPrefixes = new ConcurrentHashMap<>();
    private final Map<String, Long> softPrefixes = new ConcurrentHashMap<>();
    /** The latest threshold applied (epoch µs): fetches started from now on are stamped no earlier. */
    private final AtomicLong horizon = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param skew how far apart the pods' clocks may be
     * @param retention how long a record is kept: the longest an entry lives in the store
     */
    public Purges(Clock clock, Duration skew, Duration retention) {
        this.clock = clock;
        this.skewMicros = micros(skew);
        this.retentionMicros = micros(retention);
    }

    /** The records of a purge, as keys (the store's sorted set and this map use the same ones). */
    public static List<String> records(Purge p) {
        List<String> keys = new ArrayList<>();
        if (p.all()) {
            keys.add(ALL);
        }
        for (String url : p.urls()) {
            keys.add("u:" + urlRecord(url));
        }
        for (String prefix : p.prefixes()) {
            keys.add("p:" + RequestTarget.normalize(prefix).orElse(prefix));
        }
        for (String tag : p.tags()) {
            keys.add("t:" + tag);
        }
        return keys;
    }

    /**
     * A path matches on any host; an absolute URL on its own host. Both are normalised as request targets
     * and hosts are (RequestTarget), so a purge names what the cache keyed however it was spelt.
     */
    private static String urlRecord(String url) {
        if (url.startsWith("/")) {
            return "* " + RequestTarget.normalize(url).orElse(url);
        }
        return RequestTarget.absolute(url)
                .map(a -> RequestTarget.authority(a.authority(), a.scheme()).orElse(a.authority().toLowerCase(Locale.ROOT))
                        + " " + RequestTarget.normalize(a.pathAndQuery()).orElse(a.pathAndQuery()))
                .orElse("* " + url);
    }

    /**
     * Applies a purge. Its threshold is when it was issued (so every pod that hears it computes the same
     * one), or now when that is unknown or later than now, plus the skew. Returns the threshold.
     */
    public long apply(Purge p) {
        long now = micros(clock.instant());
        long issued = p.issuedAtMillis() > 0 ? Math.min(now, p.issuedAtMillis() * 1000L) : now;
        long threshold = issued + skewMicros;
        for (String key : records(p)) {
            applyRecord(key, p.soft(), threshold);
        }
        return threshold;
    }

    /**
     * Applies one record with a threshold already computed (by this pod or, when syncing, another). A
     * threshold beyond now plus the skew is taken as that: a bad clock elsewhere must not push this pod's
     * stamps into the future, where they would outrun every later purge.
     */
    public void applyRecord(String key, boolean isSoft, long threshold) {
        long t = Math.min(threshold, micros(clock.instant()) + skewMicros);
        Map<String, Long> target = key.startsWith("p:") ? (isSoft ? softPrefixes : hardPrefixes) : (isSoft ? soft : hard);
        target.merge(key, t, Math::max);
        horizon.accumulateAndGet(t, Math::max);
    }

    /** The stamp for a fetch starting now: never before a threshold this pod has applied. */
    public Instant stamp(Instant now) {
        long h = horizon.get();
        long n = micros(now);
        return n >= h ? now : Instant.ofEpochSecond(Math.floorDiv(h, 1_000_000L), Math.floorMod(h, 1_000_000L) * 1000L);
    }

    /** What the purges make of an entry for {@code host} + {@code target}, with these tags, stamped {@code stamp}. */
    public Verdict check(String host, String target, List<String> tags, Instant stamp) {
        if (hard.isEmpty() && soft.isEmpty() && hardPrefixes.isEmpty() && softPrefixes.isEmpty()) {
            return Verdict.NONE;
        }
        long s = micros(stamp);
        if (hits(hard, hardPrefixes, host, target, tags, s)) {
            return Verdict.HARD;
        }
        return hits(soft, softPrefixes, host, target, tags, s) ? Verdict.SOFT : Verdict.NONE;
    }

    private static boolean hits(Map<String, Long> records, Map<String, Long> prefixes, String host, String target,
                                List<String> tags, long stamp) {
        if (!records.isEmpty()) {
            if (after(records.get(ALL), stamp)
                    || after(records.get("u:* " + target), stamp)
                    || after(records.get("u:" + (host == null ? "" : host.toLowerCase(Locale.ROOT)) + " " + target), stamp)) {
                return true;
            }
            for (String tag : tags) {
                if (after(records.get("t:" + tag), stamp)) {
                    return true;
                }
            }
        }
        for (Map.Entry<String, Long> p : prefixes.entrySet()) {
            if (p.getValue() > stamp && target.startsWith(p.getKey().substring(2))) {
                return true;
            }
        }
        return false;
    }

    private static boolean after(Long threshold, long stamp) {
        return threshold != null && threshold > stamp;
    }

    /** Forgets records older than any entry can be. Returns how many were dropped. */
    public int prune() {
        long cutoff = micros(clock.instant()) - retentionMicros;
        int dropped = 0;
        for (Map<String, Long> m : List.of(hard, soft, hardPrefixes, softPrefixes)) {
            int before = m.size();
            m.values().removeIf(t -> t < cutoff);
            dropped += before - m.size();
        }
        return dropped;
    }

    /** The oldest threshold still worth keeping (epoch µs). */
    long retainedSince() {
        return micros(clock.instant()) - retentionMicros;
    }

    /** Records held. */
    public int size() {
        return hard.size() + soft.size() + hardPrefixes.size() + softPrefixes.size();
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
