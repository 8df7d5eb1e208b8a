package dev.outrigger.rules;

import dev.outrigger.policy.CacheControl;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A route's say in how long responses live, as the Cache-Control the cache judges a stored response by
 * (the client still sees the origin's). Worked out once, when the response is stored, so every replica
 * and every later hit judge it the same way without knowing the route. Pure: no clock, no I/O.
 */
public final class RouteTtl {

    public enum Mode {
        /** The origin's lifetime (RFC 9111), at most the route's ttl. */
        RESPECT_ORIGIN,
        /** The origin's explicit lifetime if it gives one (max-age, s-maxage, Expires), else the route's ttl. */
        FALLBACK,
        /** The route's ttl whatever the origin says about freshness; no-store and private still refuse storage. */
        OVERRIDE
    }

    /** The statuses a route's plain {@code ttl} applies to; others only through {@code status-ttl}. */
    static final Set<Integer> TTL_STATUSES = Set.of(200, 203, 204, 300, 301, 308);

    static final RouteTtl NONE = new RouteTtl(Mode.RESPECT_ORIGIN, Optional.empty(), Map.of(), Optional.empty(), Optional.empty());

    private final Mode mode;
    private final Optional<Duration> ttl;
    private final Map<Integer, Duration> statusTtl;
    private final Optional<Duration> staleWhileRevalidate;
    private final Optional<Duration> staleIfError;

    RouteTtl(Mode mode, Optional<Duration> ttl, Map<Integer, Duration> statusTtl, Optional<Duration> staleWhileRevalidate,
             Optional<Duration> staleIfError) {
        this.mode = mode;
        this.ttl = ttl;
        this.statusTtl = Map.copyOf(statusTtl);
        this.staleWhileRevalidate = staleWhileRevalidate;
        this.staleIfError = staleIfError;
    }

    /**
     * The Cache-Control the cache judges a response by, when the route changes it; empty when the response's
     * own applies. A {@code status-ttl} of zero makes it {@code no-store}.
     */
    public Optional<String> cacheControl(int status, Headers response, Freshness.Timing timing, Freshness.Heuristics heuristics) {
        Duration t = statusTtl.containsKey(status) ? statusTtl.get(status) : TTL_STATUSES.contains(status) ? ttl.orElse(null) : null;
        if (t != null && t.isZero()) {
            return Optional.of("no-store");
        }
        CacheControl cc = CacheControl.of(response);
        CacheControl judged = cc;
        if (t != null) {
            switch (mode) {
                case RESPECT_ORIGIN -> {
                    Optional<Freshness.Lifetime> own = Freshness.lifetime(status, response, cc, timing, heuristics);
                    if (own.isPresent() && own.get().value().compareTo(t) > 0) {
                        // s-maxage also forbids serving stale (RFC 9111 §5.2.2.10): that part stays
                        judged = cc.has("s-maxage") ? cc.with("max-age", t, "s-maxage").withFlag("proxy-revalidate")
                                : cc.with("max-age", t);
                    }
                }
                case FALLBACK -> {
                    if (!cc.has("max-age") && !cc.has("s-maxage") && !response.contains("Expires")) {
                        judged = cc.with("max-age", t);
                    }
                }
                case OVERRIDE -> judged = cc.with("max-age", t, "s-maxage", "no-cache");
            }
        }
        judged = longer(judged, "stale-while-revalidate", staleWhileRevalidate);
        judged = longer(judged, "stale-if-error", staleIfError);
        return judged == cc ? Optional.empty() : Optional.of(judged.format());
    }

    /** The route's window for {@code directive} when the response names none or a shorter one. */
    private static CacheControl longer(CacheControl cc, String directive, Optional<Duration> window) {
        if (window.isEmpty() || cc.seconds(directive).filter(own -> own.compareTo(window.get()) >= 0).isPresent()) {
            return cc;
        }
        return cc.with(directive, window.get());
    }

    /**
     * These settings with {@code lifetime} as an {@code override} ttl: an aggregate part's, which judges what its
     * fetches store whatever the origin says about freshness (no-store and private still refuse storage).
     */
    public RouteTtl overriddenBy(Duration lifetime) {
        return new RouteTtl(Mode.OVERRIDE, Optional.of(lifetime), statusTtl, staleWhileRevalidate, staleIfError);
    }

    /** For explain: the settings in words. */
    Map<String, Object> describe() {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("ttl-mode", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        ttl.ifPresent(t -> d.put("ttl", t.toSeconds()));
        if (!statusTtl.isEmpty()) {
            Map<String, Long> s = new java.util.TreeMap<>();
            statusTtl.forEach((status, v) -> s.put(status.toString(), v.toSeconds()));
            d.put("status-ttl", s);
        }
        staleWhileRevalidate.ifPresent(t -> d.put("stale-while-revalidate", t.toSeconds()));
        staleIfError.ifPresent(t -> d.put("stale-if-error", t.toSeconds()));
        return d;
    }
}
