package dev.outrigger.coalesce;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How concurrent fetches of one key are merged.
 *
 * @param enabled off: every miss fetches for itself
 * @param leaseTtl how long a lease lives unless its holder extends it (it does, every quarter of this, while
 *                 fetching): how long a dead holder's pod keeps the others waiting, at most
 * @param waitTimeout the longest a request waits for another's fetch before fetching for itself
 * @param hitForMiss how long a key whose response could not be shared skips coalescing
 * @param earlyRefreshBeta XFetch's beta: larger refreshes earlier; 0 turns early refresh off
 * @param staleWhileLease while another request fetches a key, serve a stale copy of it rather than wait
 * @param random uniform values in (0, 1] for the early-refresh draw
 */
public record CoalesceSettings(boolean enabled, Duration leaseTtl, Duration waitTimeout, Duration hitForMiss,
                               double earlyRefreshBeta, boolean staleWhileLease, DoubleSupplier random) {

    public static final CoalesceSettings DEFAULT = new CoalesceSettings(true, Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0, true, () -> 1.0 - ThreadLocalRandom.current().nextDouble());

    public CoalesceSettings {
        if (leaseTtl.toMillis() < 3) {
            throw new IllegalArgumentException("lease ttl must be at least 3 ms, got " + leaseTtl);
        }
        if (earlyRefreshBeta < 0) {
            throw new IllegalArgumentException("early refresh beta must not be negative, got " + earlyRefreshBeta);
        }
    }

    public CoalesceSettings withRandom(DoubleSupplier r) {
        return new CoalesceSettings(enabled, leaseTtl, waitTimeout, hitForMiss, earlyRefreshBeta, staleWhileLease, r);
    }

    public CoalesceSettings withWaitTimeout(Duration d) {
        return new CoalesceSettings(enabled, leaseTtl, d, hitForMiss, earlyRefreshBeta, staleWhileLease, random);
    }

    public CoalesceSettings withLeaseTtl(Duration d) {
        return new CoalesceSettings(enabled, d, waitTimeout, hitForMiss, earlyRefreshBeta, staleWhileLease, random);
    }

    /**
     * XFetch (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", 2015):
     * refresh early when {@code now − delta·beta·ln(u) ≥ expiry}, i.e. when {@code −delta·beta·ln(u)} reaches
     * what is left of the freshness. {@code delta} is how long the last fetch took.
     */
    public boolean earlyRefreshDue(Duration remaining, Duration delta) {
        if (earlyRefreshBeta <= 0 || !delta.isPositive() || remaining.isNegative()) {
            return false;
        }
        double u = Math.max(random.getAsDouble(), Double.MIN_NORMAL);
        double earlyMillis = -delta.toNanos() / 1e6 * earlyRefreshBeta * Math.log(u);
        return earlyMillis >= remaining.toNanos() / 1e6;
    }
}
