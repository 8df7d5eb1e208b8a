package dev.outrigger.proxy;

import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.Retention;
import dev.outrigger.cache.Servable;
import dev.outrigger.cache.StoredResponses.Found;
import dev.outrigger.cache.StoredResponses;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheControl;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.CachePolicy.Bypass;
import dev.outrigger.policy.CachePolicy.Decision;
import dev.outrigger.policy.CachePolicy.Fresh;
import dev.outrigger.policy.CachePolicy.GatewayTimeout;
import dev.outrigger.policy.CachePolicy.Miss;
import dev.outrigger.policy.CachePolicy.Revalidate;
import dev.outrigger.policy.CachePolicy.StaleOk;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.Conditional;
import dev.outrigger.policy.Headers;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.purge.Purges;
import dev.outrigger.rules.Route;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.upstream.UpstreamHealth;
import dev.outrigger.warm.TopTargets;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The cache in front of the upstream: lookup → {@link CachePolicy#decide} → serve, revalidate or fetch →
 * store after the client has its response. One instance per traffic event loop; every callback is brought
 * back to the request's context before it touches the exchange.
 */
final class ResponseCache {

    /** In place of a lookup time: act without coalescing. */
    private static final long ALONE = Long.MIN_VALUE;

    private final CacheSettings settings;
    private final StoredResponses responses;
    private final StoredResponseWriter writer;
    private final CacheParts parts;
    private final Meters meters;
    private final Clock clock;
    private final Coalescer coalescer;
    private final Purges purges;
    private final RouteStep routing;
    private final WriteInvalidation writes;
    private final TopTargets top;

    ResponseCache(TieredResponses store, CacheSettings settings, Coalescer coalescer, PurgeBus purgeBus, Meters meters, Clock clock,
                  UpstreamHealth health, TopTargets top) {
        this.top = top;
        Purges purges = purgeBus.purges();
        this.settings = settings;
        Retention retention = new Retention(settings, clock);
        this.responses = new StoredResponses(store, settings, retention, coalescer, meters, clock);
        this.writer = new StoredResponseWriter(meters, settings.debugHeaders(), settings.compression());
        this.parts = new CacheParts(retention, responses, writer, purges, meters, clock, health);
        this.coalescer = coalescer;
        this.purges = purges;
        this.routing = new RouteStep(settings.routes());
        this.writes = new WriteInvalidation(responses, settings.routes(), purgeBus, routing);
        this.meters = meters;
        this.clock = clock;
    }

    /** A GET or HEAD (paused) the cache may handle, as {@link RequestHygiene} accepted it: routed here. */
    void handle(HttpServerRequest req, Inbound checked, Upstream fwd) {
        String method = req.method().name();
        CacheControl requestCc = CacheControl.parse(req.headers().getAll(HttpHeaders.CACHE_CONTROL));
        if (CachePolicy.bypass(method, requestCc).isPresent()) {
            // RFC 9111 §5.2.1.5 no-store: not one the cache handles, so it reaches the application as it came
            fwd.forward(req, routing.route(req, checked, false), Exchange.bypass("request"));
            return;
        }
        Inbound inbound = routing.route(req, checked, true);
        Route route = inbound.route();
        if (!route.lookup() && requestCc.has("only-if-cached")) {
            // RFC 9111 §5.2.1.7: nothing this route answers from the cache, so nothing usable is stored
            req.resume();
            inbound.trace().outcome(meters, route.name(), CacheOutcome.BYPASS);
            ErrorResponse.send(req, 504, "only-if-cached: this route is not answered from the cache", false);
            return;
        }
        if (!route.lookup() && !route.store()) {
            fwd.forward(req, inbound, Exchange.PASS);
            return;
        }
        Headers request = HeaderAdapter.toHeaders(req.headers());
        String key = inbound.key();
        if (top.learning() && inbound.hop() == null && route.lookup() && route.store() && !inbound.routing().identified()
                && !request.contains("Authorization")) {
            top.record(inbound.authority(), inbound.target()); // a target warming may ask for as this client did
        }
        if (!route.lookup()) {
            // refreshes the cache without answering from it: always forwarded, stored when it may be
            fwd.forward(req, inbound, new Fetch(parts, req, inbound, fwd, request, key, Optional.empty(),
                    inbound.keyed(List.of()), Headers.EMPTY, false));
            return;
        }
        long lookedUpAt = System.nanoTime();
        // DESIGN rule 14: what this pod's memory answers is acted on at once, on this event loop
        Found now = responses.findNow(key, request);
        if (now != null) {
            found(req, inbound, fwd, request, requestCc, key, now, lookedUpAt);
            return;
        }
        Context context = Vertx.currentContext();
        responses.find(key, request).subscribe().with(
                found -> Contexts.onContext(context, () -> found(req, inbound, fwd, request, requestCc, key, found, lookedUpAt)),
                failed -> Contexts.onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, Found.NOTHING,
                        lookedUpAt)));
    }

    /** Acts on what the lookup found, once more after dropping an in-process copy a purge removed. */
    private void found(HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, CacheControl requestCc,
                       String key, Found found, long lookedUpAt) {
        if (found.copy().isPresent() && verdict(inbound, found.copy().get().response) == Purges.Verdict.HARD) {
            // A purged in-process copy: another replica may have stored a newer one since.
            Context context = Vertx.currentContext();
            responses.dropPurged(key, request, found.copy().get().response);
            responses.find(key, request).subscribe().with(
                    again -> Contexts.onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, again, lookedUpAt)),
                    failed -> Contexts.onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, Found.NOTHING,
                            lookedUpAt)));
            return;
        }
        act(req, inbound, fwd, request, requestCc, key, found, lookedUpAt);
    }

    /**
     * Acts on the decision for what the lookup started at {@code lookedUpAt} (System.nanoTime) found;
     * {@code lookedUpAt} is {@link #ALONE} once the request has waited for another's fetch (it does not wait twice).
     */
    private void act(HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, CacheControl requestCc, String key,
                     Found found, long lookedUpAt) {
        // a route that stores nothing has nothing to share: its misses never lead a flight
        boolean coalesce = lookedUpAt != ALONE && inbound.route().store();
        if (!coalesce) {
            lookedUpAt = ALONE;
        }
        Optional<Servable> copy = found.copy();
        List<String> keyed = inbound.keyed(found.varyFields());
        Purges.Verdict verdict = copy.map(c -> verdict(inbound, c.response)).orElse(Purges.Verdict.NONE);
        if (verdict == Purges.Verdict.HARD) {
            meters.purgedEntry(false);
            copy = Optional.empty();
        }
        Optional<StoredResponse> stored = copy.map(c -> c.response);
        Decision decision = CachePolicy.decide(req.method().name(), request, requestCc, copy.map(c -> c.policy),
                clock.instant(), settings.policy());
        if (verdict == Purges.Verdict.SOFT && (decision instanceof Fresh || decision instanceof StaleOk)) {
            // Soft purge: the entry is stale from now on; served stale while one request refreshes it.
            meters.purgedEntry(true);
            StoredResponse s = stored.orElseThrow();
            if (CachePolicy.allowsStale(s.policyHeaders())) {
                writer.serve(req, inbound, request, copy.get(), copy.get().policy.age(clock.instant()), CacheOutcome.STALE,
                        CacheHeaders.hit(0));
                refresh(req, inbound, fwd, request, key, s, coalesce ? lookedUpAt : System.nanoTime());
                return;
            }
            decision = new Revalidate(Conditional.validatorsFor(s.headers()), false, false);
        }
        switch (decision) {
            case Fresh f -> {
                StoredResponse s = stored.orElseThrow();
                writer.serve(req, inbound, request, copy.get(), f.age(), CacheOutcome.HIT,
                        CacheHeaders.hit(f.lifetime().minus(f.age()).toSeconds()));
                // Refreshed by one request shortly before it expires, rather than by a stampede at expiry.
                if (coalesce && coalescer.settings().earlyRefreshDue(f.lifetime().minus(f.age()),
                        Duration.ofMillis(s.responseTime().toEpochMilli() - s.requestTime().toEpochMilli()))) {
                    refresh(req, inbound, fwd, request, key, s, lookedUpAt);
                }
            }
            case StaleOk s -> {
                writer.serve(req, inbound, request, copy.get(), s.age(), CacheOutcome.STALE,
                        CacheHeaders.hit(s.lifetime().minus(s.age()).toSeconds()));
                if (s.refresh() && coalesce) {
                    refresh(req, inbound, fwd, request, key, stored.orElseThrow(), lookedUpAt);
                }
            }
            case Revalidate r -> {
                Fetch revalidation = new Fetch(parts, req, inbound, fwd, request, key, stored, keyed,
                        Conditional.isConditionalRequest(request) ? Headers.EMPTY : r.validators(), r.staleOnError());
                if (!revalidation.servedWithoutAsking()) {
                    fetch(revalidation, fwd, requestCc, lookedUpAt, r.staleWhileRefresh() && coalescer.settings().staleWhileLease());
                }
            }
            case Miss m -> fetch(new Fetch(parts, req, inbound, fwd, request, key, Optional.empty(), keyed, Headers.EMPTY, false),
                    fwd, requestCc, lookedUpAt, false);
            case Bypass b -> fwd.forward(req, inbound, Exchange.bypass("request"));
            case GatewayTimeout g -> {
                req.resume();
                inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.MISS);
                ErrorResponse.send(req, 504, "only-if-cached: nothing usable in the cache", false);
            }
        }
    }

    /**
     * Sends a miss or revalidation upstream: alone, or as part of the key's flight (one fetch for the
     * deployment). Only a plain GET may lead one; a conditional, ranged or HEAD request may wait for one
     * already in flight, since what it gets back is not what others could be given.
     */
    private void fetch(Fetch fetch, Upstream fwd, CacheControl requestCc, long lookedUpAt, boolean mayServeStale) {
        if (lookedUpAt == ALONE || !coalescer.settings().enabled()) {
            fwd.forward(fetch.req, fetch.inbound, fetch);
            return;
        }
        boolean canLead = fetch.req.method() == HttpMethod.GET && !Conditional.isConditionalRequest(fetch.request)
                && !fetch.request.contains("Range");
        new Waiting(parts, coalescer, fetch, fwd, mayServeStale, canLead,
                found -> act(fetch.req, fetch.inbound, fwd, fetch.request, requestCc, fetch.key, found, ALONE)).join(lookedUpAt);
    }

    /**
     * RFC 5861 §3: one background request refreshes a stale (or, early, a nearly stale) entry, for the whole
     * deployment: the refresh joins the key's flight and is skipped when one is already under way.
     */
    private void refresh(HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, String key,
                         StoredResponse stored, long lookedUpAt) {
        if (parts.health().failing() && !inbound.remotePart() || !inbound.route().store()) {
            // the application is failing: the copy is served as it is; probes find out when it is back.
            // Or the route stores nothing: a refresh would be thrown away.
            return;
        }
        coalescer.join(key, lookedUpAt, new Refresh(parts, req, inbound, fwd, request, key, stored));
    }

    /** What purges make of a stored response to this request's target. */
    private Purges.Verdict verdict(Inbound inbound, StoredResponse s) {
        return purges.check(inbound.authority(), inbound.target(), s.tags(), s.stamp());
    }

    /** How requests meet their routes. */
    RouteStep routing() {
        return routing;
    }

    /** The exchange of a request with any method but GET/HEAD: forwarded, invalidating on success. */
    Exchange unsafe(HttpServerRequest req, Inbound inbound) {
        return writes.exchange(req, inbound);
    }

    /** The aggregates: requests for their paths are answered by fanning out, not by this cache. */
    dev.outrigger.aggregate.Aggregates aggregates() {
        return settings.aggregates();
    }

    /** The one authority requests are keyed and forwarded under, when configured. */
    Optional<String> keyHost() {
        return settings.keyHost();
    }

    /**
     * Removes the purge-tag headers from what a client is about to see, unless configured to keep them; with
     * debug headers on, names the route and key in Cache-Status.
     */
    void finishHead(Inbound inbound, MultiMap out) {
        responses.stripTagHeaders(out);
        if (settings.debugHeaders()) {
            String status = out.get(CacheHeaders.CACHE_STATUS);
            if (status != null) {
                boolean keyed = inbound.route().lookup() || inbound.route().store();
                out.set(CacheHeaders.CACHE_STATUS, CacheHeaders.debug(status, inbound.route().name(), keyed ? inbound.key() : null));
            }
        }
    }

}
