package dev.outrigger.policy;

import dev.outrigger.policy.Freshness.Heuristics;
import dev.outrigger.policy.Freshness.Lifetime;
import dev.outrigger.policy.Freshness.Timing;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The caching decision for one request, as one pure function of the request, what is stored and
 * {@code now} (RFC 9111 §4, §5.2; RFC 5861 for the stale extensions). No I/O, no clock.
 */
public final class CachePolicy {

    /**
     * Cache-wide settings: heuristic freshness, and stale windows applied when a response names none
     * (a response's own stale-while-revalidate/stale-if-error, if longer, wins). The configured windows
     * apply only to a response that has a freshness lifetime (explicit or heuristic): one with none was
     * never meant to be reused without asking the origin.
     */
    public record Settings(Heuristics heuristics, Duration staleWhileRevalidate, Duration staleIfError) {
        public static final Settings DEFAULT = new Settings(Heuristics.DEFAULT, Duration.ZERO, Duration.ZERO);
    }

    /**
     * A stored response as the policy sees it: no body, only what the rules read, with the facts that never
     * change for it (its parsed Cache-Control and what it says of staleness, its corrected initial age, its freshness
     * lifetime) worked out once, so that a copy kept in memory is judged on every hit without parsing (DESIGN rule 14).
     */
    public static final class Stored {
        private final int status;
        private final Headers headers;
        private final Timing timing;
        private final CacheControl cacheControl;
        private final Duration initialAge;
        private final boolean neverStale;
        private final boolean noCache;
        private final Optional<Duration> staleIfError;
        private final Optional<Duration> staleWhileRevalidate;
        /** The freshness lifetime under the heuristics last asked for (one set per process): worked out once. */
        private volatile LifetimeMemo lifetime;

        private record LifetimeMemo(Heuristics heuristics, Optional<Lifetime> value) {}

        public Stored(int status, Headers headers, Timing timing) {
            this.status = status;
            this.headers = headers;
            this.timing = timing;
            this.cacheControl = CacheControl.of(headers);
            this.initialAge = Freshness.correctedInitialAge(headers, timing);
            this.neverStale = CachePolicy.neverStale(cacheControl);
            this.noCache = cacheControl.has("no-cache");
            this.staleIfError = cacheControl.seconds("stale-if-error");
            this.staleWhileRevalidate = cacheControl.seconds("stale-while-revalidate");
        }

        public int status() {
            return status;
        }

        public Headers headers() {
            return headers;
        }

        public Timing timing() {
            return timing;
        }

        public CacheControl cacheControl() {
            return cacheControl;
        }

        /** current_age at {@code now} (RFC 9111 §4.2.3). */
        public Duration age(Instant now) {
            return Freshness.currentAge(initialAge, timing, now);
        }

        /** The freshness lifetime (RFC 9111 §4.2.1); empty when the response has none. */
        public Optional<Lifetime> lifetime(Heuristics heuristics) {
            LifetimeMemo memo = lifetime;
            if (memo == null || memo.heuristics != heuristics) {
                memo = new LifetimeMemo(heuristics, Freshness.lifetime(status, headers, cacheControl, timing, heuristics));
                lifetime = memo;
            }
            return memo.value;
        }
    }

    /** What to do with the request. Handled by an exhaustive switch in the proxy. */
    public sealed interface Decision permits Fresh, StaleOk, Revalidate, Miss, Bypass, GatewayTimeout {}

    /** Serve the stored response; it is fresh enough for this request ({@code lifetime} minus {@code age} remains). */
    public record Fresh(Duration age, Duration lifetime) implements Decision {}

    /**
     * Serve the stored response although it is stale: the client accepts it (max-stale) or the response
     * allows it while it is refreshed ({@code refresh}: stale-while-revalidate, one background request).
     */
    public record StaleOk(Duration age, Duration lifetime, boolean refresh) implements Decision {}

    /**
     * Forward a conditional request built from {@code validators} (empty: an unconditional one); a 304
     * refreshes the stored response. {@code staleOnError}: if the upstream fails, the stored response may
     * be served instead (stale-if-error). {@code staleWhileRefresh}: the only reason to revalidate is that
     * the response went stale (neither it nor the request demands validation), so a cache configured to do
     * so may serve it while another request refreshes it.
     */
    public record Revalidate(Headers validators, boolean staleOnError, boolean staleWhileRefresh) implements Decision {}

    /** Nothing stored: fetch, and store what may be stored. */
    public record Miss() implements Decision {}

    /** Not a request the cache takes part in (method, request no-store): forward and store nothing. */
    public record Bypass(String reason) implements Decision {}

    /** only-if-cached and nothing usable is stored: answer 504 (RFC 9111 §5.2.1.7). */
    public record GatewayTimeout() implements Decision {}

    private CachePolicy() {}

    /** Whether the cache stays out of this request altogether, decided before any lookup. */
    public static Optional<Bypass> bypass(String method, CacheControl request) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Optional.of(new Bypass("method " + method));
        }
        if (request.has("no-store")) {
            return Optional.of(new Bypass("request no-store"));
        }
        return Optional.empty();
    }

    public static Decision decide(String method, Headers request, Optional<Stored> stored, Instant now, Settings settings) {
        return decide(method, request, CacheControl.of(request), stored, now, settings);
    }

    /** As above, for a caller that has already parsed the request's Cache-Control. */
    public static Decision decide(String method, Headers request, CacheControl req, Optional<Stored> stored, Instant now,
                                  Settings settings) {
        Optional<Bypass> bypass = bypass(method, req);
        if (bypass.isPresent()) {
            return bypass.get();
        }
        boolean onlyIfCached = req.has("only-if-cached");
        if (stored.isEmpty()) {
            return onlyIfCached ? new GatewayTimeout() : new Miss();
        }
        Stored st = stored.get();
        Duration age = st.age(now);
        Optional<Lifetime> known = st.lifetime(settings.heuristics());
        // No lifetime at all (say ETag alone, or Last-Modified with heuristics off): stale from the start,
        // and only the response's own stale-if-error may let it stand in; never served without asking.
        boolean hasLifetime = known.isPresent();
        Duration lifetime = known.map(Lifetime::value).orElse(Duration.ZERO);
        boolean fresh = lifetime.compareTo(age) > 0;
        Duration staleness = fresh ? Duration.ZERO : age.minus(lifetime);
        boolean neverStale = st.neverStale;
        boolean mayServeStale = !neverStale && hasLifetime;
        boolean mustValidate = req.has("no-cache") || st.noCache
                || (!request.contains("Cache-Control") && request.tokens("Pragma").contains("no-cache")); // §5.4
        // RFC 5861 §4: on upstream failure the stored copy may stand in while it is fresh, or stale
        // within a stale-if-error window
        Duration staleIfError = hasLifetime
                ? longest(st.staleIfError, req, "stale-if-error", settings.staleIfError())
                : longest(st.staleIfError, CacheControl.EMPTY, "stale-if-error", Duration.ZERO);
        boolean staleOnError = !neverStale && !st.noCache
                && (fresh || staleness.compareTo(staleIfError) < 0);
        if (mustValidate) {
            return revalidate(onlyIfCached, st, staleOnError, false);
        }
        // §5.2.1.1: the client will not take a response older than its max-age
        Optional<Duration> requestMaxAge = req.has("max-age") ? Optional.of(req.seconds("max-age").orElse(Duration.ZERO)) : Optional.empty();
        if (requestMaxAge.isPresent() && age.compareTo(requestMaxAge.get()) > 0) {
            return revalidate(onlyIfCached, st, staleOnError, false);
        }
        if (fresh) {
            // §5.2.1.3: nor one that will not stay fresh for min-fresh
            Optional<Duration> minFresh = req.seconds("min-fresh");
            if (minFresh.isPresent() && lifetime.minus(age).compareTo(minFresh.get()) < 0) {
                return revalidate(onlyIfCached, st, staleOnError, false);
            }
            return new Fresh(age, lifetime);
        }
        if (mayServeStale) {
            // §5.2.1.2: max-stale without a value accepts any staleness
            if (req.has("max-stale")) {
                Optional<Duration> maxStale = req.seconds("max-stale");
                boolean unbounded = req.first("max-stale").orElseThrow().argument().isEmpty();
                if (unbounded || maxStale.isPresent() && staleness.compareTo(maxStale.get()) <= 0) {
                    return new StaleOk(age, lifetime, false);
                }
            }
            // RFC 5861 §3: serve stale while one request refreshes it
            if (staleness.compareTo(longest(st.staleWhileRevalidate, CacheControl.EMPTY, "stale-while-revalidate",
                    settings.staleWhileRevalidate())) < 0) {
                return new StaleOk(age, lifetime, true);
            }
        }
        // §4.2.4: stale; served meanwhile by a refreshing cache only if it could be served stale at all
        return revalidate(onlyIfCached, st, staleOnError, mayServeStale);
    }

    /** Whether a stored response may ever be served stale (a soft purge makes it stale before its time). */
    public static boolean allowsStale(Headers stored) {
        CacheControl cc = CacheControl.of(stored);
        return !neverStale(cc) && !cc.has("no-cache");
    }

    /** §4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10: these forbid serving the response stale. */
    private static boolean neverStale(CacheControl resp) {
        return resp.has("must-revalidate") || resp.has("proxy-revalidate") || resp.has("s-maxage");
    }

    /** Revalidate with the stored validators, or 504 for only-if-cached (§5.2.1.7). */
    private static Decision revalidate(boolean onlyIfCached, Stored stored, boolean staleOnError, boolean staleWhileRefresh) {
        return onlyIfCached ? new GatewayTimeout()
                : new Revalidate(Conditional.validatorsFor(stored.headers()), staleOnError, staleWhileRefresh);
    }

    /** The longest of a stale window named by the response ({@code own}), the request, and the configured default. */
    private static Duration longest(Optional<Duration> own, CacheControl req, String directive, Duration configured) {
        Duration d = configured;
        if (own.isPresent() && own.get().compareTo(d) > 0) {
            d = own.get();
        }
        Optional<Duration> asked = req.seconds(directive);
        if (asked.isPresent() && asked.get().compareTo(d) > 0) {
            d = asked.get();
        }
        return d;
    }
}
