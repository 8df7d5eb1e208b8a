package dev.outrigger.cache;

import dev.outrigger.policy.CacheControl;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.Storability;
import dev.outrigger.policy.TimeToLive;
import dev.outrigger.policy.Vary;
import dev.outrigger.rules.Route;
import dev.outrigger.store.StoredResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** Whether and how long responses are kept, and whether they may be handed out without revalidation, under the configured settings. */
public final class Retention {

    /**
     * Request headers this hop sets to a value of each client's own (the proxy's RequestHygiene, ForwardedHeaders), or of each
     * request's (the X-Request-Id the forwarder sets when the client sent none).
     */
    private static final Set<String> PER_CLIENT = Set.of("x-forwarded-for", "forwarded", "x-real-ip", "true-client-ip",
            "x-client-ip", "x-cluster-client-ip", "x-request-id");

    private final CacheSettings settings;
    private final Clock clock;

    public Retention(CacheSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Whether a response refreshed by a 304 may still be stored and shared (RFC 9111 §4.3.4: re-checked as
     * new). The request's credentials are left out: a 304 confirms the stored body, it cannot have
     * personalised it, and one client's token must not be able to drop an entry everyone shares.
     */
    public boolean mayKeep(StoredResponse refreshed, Headers sent, boolean perUser) {
        Headers judged = refreshed.policyHeaders();
        return Storability.forSharedCache("GET", sent.without("Cookie", "Authorization"), refreshed.status(),
                judged, settings.storeSetCookie(), perUser) instanceof Storability.Storable
                && !variesPerClient(judged)
                && timeToLive(refreshed.status(), judged, timing(refreshed), clock.instant()).isPositive();
    }

    /**
     * The Cache-Control the request's route judges a response by (its ttl, ttl-mode, stale windows), when it
     * differs from the response's own.
     */
    public Optional<String> rule(Route.Routed routing, int status, Headers response, Freshness.Timing timing) {
        return routing.route().ttl().cacheControl(status, response, timing, settings.policy().heuristics());
    }

    /** The headers a response is judged by under {@code rule}. */
    public static Headers judged(Headers response, Optional<String> rule) {
        return rule.isEmpty() ? response : response.with("Cache-Control", rule.get());
    }

    /**
     * A response that varies on a header this hop sets per client (its address, a request id) has one variant
     * per client: as good as {@code Vary: *}, never stored (the client-sent values were removed or replaced, so
     * every client would look alike to the key).
     */
    static boolean variesPerClient(Headers response) {
        for (String field : Vary.fields(response)) {
            if (PER_CLIENT.contains(field)) {
                return true;
            }
        }
        return false;
    }

    /** As {@link #lifetime(StoredResponse)}, from the facts worked out once for a copy in memory. */
    public Duration lifetime(Servable copy) {
        return copy.policy.lifetime(settings.policy().heuristics()).map(Freshness.Lifetime::value).orElse(Duration.ZERO);
    }

    public Duration lifetime(StoredResponse stored) {
        Headers judged = stored.policyHeaders();
        return Freshness.lifetime(stored.status(), judged, CacheControl.of(judged),
                timing(stored), settings.policy().heuristics()).map(Freshness.Lifetime::value).orElse(Duration.ZERO);
    }

    /**
     * Whether a fetched response may be stored and shared: within the size limit (as declared), storable
     * by a shared cache (RFC 9111 §3), and with some time to live. {@code headers}: as judged (the route's
     * rule applied); {@code perUser}: stored under its user's key alone.
     */
    public boolean mayStore(int status, Headers headers, long contentLength, Headers request, Instant requestTime,
                     Instant responseTime, boolean perUser) {
        return contentLength <= settings.maxObjectSize() && !variesPerClient(headers)
                && Storability.forSharedCache("GET", request, status, headers, settings.storeSetCookie(), perUser)
                        instanceof Storability.Storable
                && timeToLive(status, headers, new Freshness.Timing(requestTime, responseTime), responseTime).isPositive();
    }

    /**
     * How long the store keeps a response: what is left of its freshness plus the stale window it may still
     * be served in, or the configured keep for one with a validator (DESIGN: Redis TTL = freshness
     * lifetime + stale window).
     */
    Duration timeToLive(int status, Headers headers, Freshness.Timing timing, Instant now) {
        return TimeToLive.of(status, headers, timing, now, settings.policy(), settings.keep());
    }

    /**
     * Whether a response may be reused without revalidation at all (it has a freshness lifetime): only
     * then is it handed to the requests waiting for the fetch that brought it. One kept only to be
     * revalidated (no-cache, or a validator and nothing else) is revalidated by each request.
     */
    boolean reusable(int status, Headers headers, Freshness.Timing timing) {
        CacheControl cc = CacheControl.of(headers);
        return !cc.has("no-cache") && Freshness.lifetime(status, headers, cc, timing, settings.policy().heuristics())
                .map(l -> l.value().isPositive()).orElse(false);
    }

    public static Freshness.Timing timing(StoredResponse s) {
        return new Freshness.Timing(s.requestTime(), s.responseTime());
    }
}
