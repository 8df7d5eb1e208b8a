package dev.outrigger.policy;

import dev.outrigger.policy.Freshness.Lifetime;
import dev.outrigger.policy.Freshness.Timing;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long a store keeps a response (DESIGN rule 4: freshness lifetime + the stale window it may still be
 * served in), plus a {@code keep} time past expiry for a response that can be revalidated with a
 * conditional request (Varnish's {@code keep}). It mirrors what {@link CachePolicy#decide} may still do
 * with the response, so nothing is kept that the policy would never use. Pure: {@code now} is a parameter.
 */
public final class TimeToLive {

    private TimeToLive() {}

    /**
     * The time to keep {@code response}, counted from {@code now}; never negative. Zero means not worth
     * storing: no freshness lifetime and no validator, or nothing left of any window.
     *
     * <ul>
     *   <li>remaining freshness plus what is left of the longest stale window it may be served in: its own
     *       stale-while-revalidate / stale-if-error, or the configured defaults (those only when it has a
     *       freshness lifetime, as in {@link CachePolicy.Settings}); none when it may never be served stale
     *       (must-revalidate, proxy-revalidate, s-maxage, no-cache);</li>
     *   <li>with a validator, at least remaining freshness plus {@code keep}, so that it can be revalidated
     *       rather than fetched again;</li>
     *   <li>no freshness lifetime: {@code keep} (at least its own stale-if-error window) when it has a
     *       validator, else zero; zero too for no-cache without a validator.</li>
     * </ul>
     */
    public static Duration of(int status, Headers response, Timing timing, Instant now, CachePolicy.Settings settings,
                              Duration keep) {
        CacheControl cc = CacheControl.of(response);
        Optional<Lifetime> known = Freshness.lifetime(status, response, cc, timing, settings.heuristics());
        boolean validator = Conditional.hasValidator(response);
        if (!validator && (known.isEmpty() || cc.has("no-cache"))) {
            // every use would be an unconditional request to the origin: the copy would never be used
            return Duration.ZERO;
        }
        Duration age = Freshness.currentAge(response, timing, now);
        Duration lifetime = known.map(Lifetime::value).orElse(Duration.ZERO);
        Duration remaining = nonNegative(lifetime.minus(age));
        Duration staleness = nonNegative(age.minus(lifetime));
        Duration window = Duration.ZERO;
        if (CachePolicy.allowsStale(response)) {
            window = own(cc, "stale-if-error");
            if (known.isPresent()) {
                window = max(window, own(cc, "stale-while-revalidate"));
                window = max(window, max(settings.staleWhileRevalidate(), settings.staleIfError()));
            }
        }
        // the stale window runs from expiry: what an already stale response used of it is gone
        Duration ttl = remaining.plus(nonNegative(window.minus(staleness)));
        if (validator && !keep.isNegative()) {
            ttl = max(ttl, remaining.plus(keep));
        }
        return ttl;
    }

    private static Duration own(CacheControl cc, String directive) {
        return cc.seconds(directive).orElse(Duration.ZERO);
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
