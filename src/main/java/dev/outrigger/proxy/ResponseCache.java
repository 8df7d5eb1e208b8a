package dev.outrigger.proxy;

import dev.outrigger.cache.CacheKey;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Coalescer.Lead;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheControl;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.CachePolicy.Bypass;
import dev.outrigger.policy.CachePolicy.Decision;
import dev.outrigger.policy.CachePolicy.Fresh;
import dev.outrigger.policy.CachePolicy.GatewayTimeout;
import dev.outrigger.policy.CachePolicy.Miss;
import dev.outrigger.policy.CachePolicy.Revalidate;
import dev.outrigger.policy.CachePolicy.StaleOk;
import dev.outrigger.policy.Conditional;
import dev.outrigger.policy.ContentCoding;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.HttpDate;
import dev.outrigger.policy.Ranges;
import dev.outrigger.policy.Storability;
import dev.outrigger.policy.TimeToLive;
import dev.outrigger.policy.Vary;
import dev.outrigger.purge.Purges;
import dev.outrigger.purge.Tags;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.StoredResponseCodec;
import dev.outrigger.store.StoredValue;
import dev.outrigger.store.VariantIndex;
import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Uni;
import dev.outrigger.policy.RequestTarget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The cache in front of the upstream: lookup → {@link CachePolicy#decide} → serve, revalidate or fetch →
 * store after the client has its response. One instance per traffic event loop; every callback is brought
 * back to the request's context before it touches the exchange.
 */
final class ResponseCache {

    private static final Logger LOG = Logger.getLogger(ResponseCache.class);

    /** Forward and relay, the cache taking no part. */
    static final Exchange PASS = bypass("bypass");

    /** Fields a 304 from the cache carries (RFC 9110 §15.4.5). */
    private static final List<String> NOT_MODIFIED_FIELDS =
            List.of("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary", "Last-Modified");

    private final CacheStore store;
    private final CacheSettings settings;
    private final Meters meters;
    private final Clock clock;
    private final Coalescer coalescer;
    private final Purges purges;
    /** Client conditionals and Range: a fetch made for everyone never carries them. */
    private static final Set<String> CLIENT_CONDITIONALS =
            Set.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range");

    /** Client credentials: a fetch made for everyone carries them only when the key covers them (Vary). */
    private static final List<String> CLIENT_CREDENTIALS = List.of("cookie", "authorization");

    /** In place of a lookup time: act without coalescing. */
    private static final long ALONE = Long.MIN_VALUE;

    ResponseCache(CacheStore store, CacheSettings settings, Coalescer coalescer, Purges purges, Meters meters, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.coalescer = coalescer;
        this.purges = purges;
        this.meters = meters;
        this.clock = clock;
    }

    /** A GET or HEAD (paused). */
    void handle(HttpServerRequest req, Inbound inbound, Forwarder fwd) {
        Headers request = HeaderAdapter.toHeaders(req.headers());
        String method = req.method().name();
        CacheControl requestCc = CacheControl.of(request);
        if (CachePolicy.bypass(method, requestCc).isPresent()) {
            fwd.forward(req, inbound, bypass("request"));
            return;
        }
        String key = key(inbound);
        Context context = Vertx.currentContext();
        long lookedUpAt = System.nanoTime();
        lookup(key, request).subscribe().with(
                found -> onContext(context, () -> {
                    if (found.isPresent() && verdict(inbound, found.get()) == Purges.Verdict.HARD) {
                        // A purged in-process copy: another replica may have stored a newer one since.
                        dropLocalCopies(key, request, found.get());
                        lookup(key, request).subscribe().with(
                                again -> onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, again, lookedUpAt)),
                                failed -> onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, Optional.empty(), lookedUpAt)));
                        return;
                    }
                    act(req, inbound, fwd, request, requestCc, key, found, lookedUpAt);
                }),
                failed -> onContext(context, () -> act(req, inbound, fwd, request, requestCc, key, Optional.empty(), lookedUpAt)));
    }

    private void dropLocalCopies(String key, Headers request, StoredResponse found) {
        store.evictLocal(key);
        List<String> fields = Vary.fields(found.headers());
        if (!fields.isEmpty()) {
            store.evictLocal(variantKey(key, fields, request));
        }
    }

    /**
     * Acts on the decision for what the lookup started at {@code lookedUpAt} (System.nanoTime) found;
     * {@code lookedUpAt} is {@link #ALONE} once the request has waited for another's fetch (it does not wait twice).
     */
    private void act(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, CacheControl requestCc, String key,
                     Optional<StoredResponse> stored, long lookedUpAt) {
        boolean coalesce = lookedUpAt != ALONE;
        Purges.Verdict verdict = stored.map(s -> verdict(inbound, s)).orElse(Purges.Verdict.NONE);
        if (verdict == Purges.Verdict.HARD) {
            meters.purgedEntry(false);
            stored = Optional.empty();
        }
        Decision decision = CachePolicy.decide(req.method().name(), request, requestCc,
                stored.map(s -> new CachePolicy.Stored(s.status(), s.headers(), timing(s))), clock.instant(), settings.policy());
        if (verdict == Purges.Verdict.SOFT && (decision instanceof Fresh || decision instanceof StaleOk)) {
            // Soft purge: the entry is stale from now on; served stale while one request refreshes it.
            meters.purgedEntry(true);
            StoredResponse s = stored.orElseThrow();
            if (CachePolicy.allowsStale(s.headers())) {
                Duration age = Freshness.currentAge(s.headers(), timing(s), clock.instant());
                serve(req, request, s, age, CacheOutcome.STALE, CacheHeaders.hit(0));
                refresh(req, inbound, fwd, request, key, s, coalesce ? lookedUpAt : System.nanoTime());
                return;
            }
            decision = new Revalidate(Conditional.validatorsFor(s.headers()), false, false);
        }
        switch (decision) {
            case Fresh f -> {
                StoredResponse s = stored.orElseThrow();
                serve(req, request, s, f.age(), CacheOutcome.HIT, CacheHeaders.hit(f.lifetime().minus(f.age()).toSeconds()));
                // Refreshed by one request shortly before it expires, rather than by a stampede at expiry.
                if (coalesce && coalescer.settings().earlyRefreshDue(f.lifetime().minus(f.age()),
                        Duration.ofMillis(s.responseTime().toEpochMilli() - s.requestTime().toEpochMilli()))) {
                    refresh(req, inbound, fwd, request, key, s, lookedUpAt);
                }
            }
            case StaleOk s -> {
                serve(req, request, stored.orElseThrow(), s.age(), CacheOutcome.STALE,
                        CacheHeaders.hit(s.lifetime().minus(s.age()).toSeconds()));
                if (s.refresh() && coalesce) {
                    refresh(req, inbound, fwd, request, key, stored.orElseThrow(), lookedUpAt);
                }
            }
            case Revalidate r -> fetch(new Fetch(req, inbound, fwd, request, key, stored,
                    Conditional.isConditionalRequest(request) ? Headers.EMPTY : r.validators(), r.staleOnError()),
                    fwd, requestCc, lookedUpAt, r.staleWhileRefresh() && coalescer.settings().staleWhileLease());
            case Miss m -> fetch(new Fetch(req, inbound, fwd, request, key, Optional.empty(), Headers.EMPTY, false),
                    fwd, requestCc, lookedUpAt, false);
            case Bypass b -> fwd.forward(req, inbound, bypass("request"));
            case GatewayTimeout g -> {
                req.resume();
                meters.outcome(CacheOutcome.MISS);
                Forwarder.sendError(req, 504, "only-if-cached: nothing usable in the cache", false);
            }
        }
    }

    /**
     * For any method but GET/HEAD: forward; for an unsafe one, invalidate the target (and same-host
     * Location/Content-Location) on success (RFC 9111 §4.4). OPTIONS and TRACE are safe (RFC 9110 §9.2.1).
     */
    Exchange unsafe(HttpServerRequest req, Inbound inbound) {
        boolean safe = req.method() == HttpMethod.OPTIONS || req.method() == HttpMethod.TRACE;
        Context context = Vertx.currentContext();
        return new Exchange() {
            /**
             * The entries are gone, here and in the shared store, before the client sees the response: a
             * request it sends next cannot be answered with what it just changed. Other replicas drop their
             * in-process copies when the removal is announced.
             */
            @Override
            public Future<Void> beforeRelay(HttpClientResponse response) {
                int status = response.statusCode();
                if (safe || status < 200 || status >= 400) {
                    return null;
                }
                List<String> keys = new ArrayList<>();
                keys.add(key(inbound));
                for (String field : new String[] {"Location", "Content-Location"}) {
                    sameHostTarget(inbound.authority(), inbound.target(), response.getHeader(field))
                            .flatMap(RequestTarget::normalize)
                            .ifPresent(target -> keys.add(key(inbound, target)));
                }
                Promise<Void> done = Promise.promise();
                Uni.join().all(keys.stream().distinct().map(ResponseCache.this::invalidate).toList()).andCollectFailures()
                        .subscribe().with(ok -> onContext(context, done::complete),
                                failed -> onContext(context, done::complete));
                return done.future();
            }

            @Override
            public Capture onRelay(HttpClientResponse response, MultiMap relayed) {
                relayed.set(CacheHeaders.X_CACHE, "BYPASS");
                relayed.set(CacheHeaders.CACHE_STATUS, CacheHeaders.forward("method", response.statusCode(), false));
                return null;
            }

            @Override
            public CacheOutcome outcome() {
                return CacheOutcome.BYPASS;
            }
        };
    }

    static Exchange bypass(String why) {
        return new Exchange() {
            @Override
            public Capture onRelay(HttpClientResponse response, MultiMap relayed) {
                relayed.set(CacheHeaders.X_CACHE, "BYPASS");
                relayed.set(CacheHeaders.CACHE_STATUS, CacheHeaders.forward(why, response.statusCode(), false));
                return null;
            }

            @Override
            public CacheOutcome outcome() {
                return CacheOutcome.BYPASS;
            }
        };
    }

    /**
     * Sends a miss or revalidation upstream: alone, or as part of the key's flight (one fetch for the
     * deployment). Only a plain GET may lead one; a conditional, ranged or HEAD request may wait for one
     * already in flight, since what it gets back is not what others could be given.
     */
    private void fetch(Fetch fetch, Forwarder fwd, CacheControl requestCc, long lookedUpAt, boolean mayServeStale) {
        if (lookedUpAt == ALONE || !coalescer.settings().enabled()) {
            fwd.forward(fetch.req, fetch.inbound, fetch);
            return;
        }
        boolean canLead = fetch.req.method() == HttpMethod.GET && !Conditional.isConditionalRequest(fetch.request)
                && !fetch.request.contains("Range");
        new Waiting(fetch, fwd, requestCc, mayServeStale, canLead).join(lookedUpAt);
    }

    private static boolean gone(HttpServerRequest req) {
        return req.response().ended() || req.response().closed();
    }

    /** A request taking part in its key's flight: it leads the fetch, waits for it, or serves stale meanwhile. */
    private final class Waiting implements Coalescer.Participant {
        private final Fetch fetch;
        private final Forwarder fwd;
        private final CacheControl requestCc;
        private final boolean mayServeStale;
        private final boolean canLead;
        private final Context context = Vertx.currentContext();
        /** Joined once more after a fill signal that brought nothing new; never twice. */
        private boolean rejoined;

        Waiting(Fetch fetch, Forwarder fwd, CacheControl requestCc, boolean mayServeStale, boolean canLead) {
            this.fetch = fetch;
            this.fwd = fwd;
            this.requestCc = requestCc;
            this.mayServeStale = mayServeStale;
            this.canLead = canLead;
        }

        /** Leads or waits for the key's flight; one that cannot lead waits for a flight in progress, or fetches alone. */
        void join(long lookedUpAt) {
            if (canLead) {
                coalescer.join(fetch.key, lookedUpAt, this);
            } else if (!coalescer.joinIfInFlight(fetch.key, lookedUpAt, this)) {
                fwd.forward(fetch.req, fetch.inbound, fetch);
            }
        }

        @Override
        public void lead(Lead lead, boolean lookFirst) {
            onContext(context, () -> {
                if (gone(fetch.req)) {
                    lead.declined();
                } else if (!canLead) {
                    lead.declined(); // its answer could not be given to others: it fetches for itself alone
                    fwd.forward(fetch.req, fetch.inbound, fetch);
                } else if (!lookFirst) {
                    fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead));
                } else {
                    lookup(fetch.key, fetch.request).subscribe().with(
                            found -> onContext(context, () -> {
                                if (found.isPresent() && newerThanLookup(found.get()) && unpurged(found.get())) {
                                    lead.filled();
                                    serveCollapsed(found.get());
                                } else {
                                    fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead));
                                }
                            }),
                            failed -> onContext(context, () -> fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead))));
                }
            });
        }

        @Override
        public void filled() {
            onContext(context, () -> {
                if (gone(fetch.req)) {
                    return;
                }
                long relookedAt = System.nanoTime();
                lookup(fetch.key, fetch.request).subscribe().with(
                        found -> onContext(context, () -> {
                            if (found.isPresent() && newerThanLookup(found.get()) && unpurged(found.get())) {
                                serveCollapsed(found.get());
                            } else if (found.isPresent() && !newerThanLookup(found.get()) && !rejoined) {
                                // Only what was there before: the signal was about an earlier fill (it can
                                // arrive late). Wait for, or lead, the fetch that is due.
                                rejoined = true;
                                join(relookedAt);
                            } else {
                                // not a variant this request may be given (Vary), or already gone: its own fetch
                                act(fetch.req, fetch.inbound, fwd, fetch.request, requestCc, fetch.key, found, ALONE);
                            }
                        }),
                        failed -> onContext(context, () -> fwd.forward(fetch.req, fetch.inbound, fetch)));
            });
        }

        @Override
        public void alone(Coalescer.Alone why) {
            onContext(context, () -> {
                if (!gone(fetch.req)) {
                    fwd.forward(fetch.req, fetch.inbound, fetch);
                }
            });
        }

        @Override
        public boolean servedStale() {
            if (!mayServeStale) {
                return false;
            }
            onContext(context, fetch::serveStale);
            return true;
        }

        /**
         * Newer than what this request's lookup found (nothing, or the stale copy): fetched for this
         * request's flight, it satisfies the request whatever freshness it asked for (no-cache,
         * max-age=0), as the request's own fetch would have.
         */
        private boolean newerThanLookup(StoredResponse s) {
            return fetch.stored.isEmpty() || s.responseTime().isAfter(fetch.stored.get().responseTime());
        }

        private boolean unpurged(StoredResponse s) {
            return verdict(fetch.inbound, s) == Purges.Verdict.NONE;
        }

        private void serveCollapsed(StoredResponse s) {
            Duration age = Freshness.currentAge(s.headers(), timing(s), clock.instant());
            serve(fetch.req, fetch.request, s, age, CacheOutcome.HIT,
                    CacheHeaders.collapsed(fetch.stored.isPresent() ? "stale" : "uri-miss", lifetime(s).minus(age).toSeconds()));
        }
    }

    /** A background refresh (stale-while-revalidate, early refresh) as a flight's participant. */
    private final class Refresh implements Coalescer.Participant {
        private final HttpServerRequest req;
        private final Inbound inbound;
        private final Forwarder fwd;
        private final Headers request;
        private final String key;
        private final StoredResponse stored;
        private final Context context = Vertx.currentContext();

        Refresh(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, String key, StoredResponse stored) {
            this.req = req;
            this.inbound = inbound;
            this.fwd = fwd;
            this.request = request;
            this.key = key;
            this.stored = stored;
        }

        @Override
        public void lead(Lead lead, boolean lookFirst) {
            if (!lookFirst) {
                onContext(context, () -> backgroundFetch(req, inbound, fwd, request, key, stored, lead));
                return;
            }
            lookup(key, request).subscribe().with(found -> onContext(context, () -> {
                if (found.isPresent() && found.get().responseTime().isAfter(stored.responseTime())) {
                    lead.filled(); // refreshed by another meanwhile
                } else {
                    backgroundFetch(req, inbound, fwd, request, key, stored, lead);
                }
            }), failed -> onContext(context, () -> backgroundFetch(req, inbound, fwd, request, key, stored, lead)));
        }

        @Override
        public void filled() { }

        @Override
        public void alone(Coalescer.Alone why) { }

        /** Its client has been served: another's refresh in flight is all it wanted. */
        @Override
        public boolean servedStale() {
            return true;
        }
    }

    /**
     * A miss or a revalidation: the upstream's answer may be stored, or (304) refresh what is stored. When
     * it leads the key's flight it is made for everyone: without the client's credentials and conditionals
     * (unless the stored response varies on them), and a client whose own request would have differed gets
     * a fetch of its own when the shared answer is not one it may be given.
     */
    private final class Fetch implements Exchange {
        private final HttpServerRequest req;
        private final Inbound inbound;
        private final Forwarder fwd;
        private final Headers request;
        private final String key;
        private final Optional<StoredResponse> stored;
        private final Headers validators;
        private final boolean staleOnError;
        /** A fetch of the client's own after the shared answer was not its to have: never stored. */
        private final boolean personal;
        private final Instant requestTime = clock.instant();
        private final Instant stamp = purges.stamp(requestTime);
        /** Set when this fetch is for the key's whole flight: it reports how it ended. */
        private Lead lead;
        private Set<String> withheld = Set.of();
        /** The request as the upstream received it: what the answer's variant is computed from. */
        private Headers sent;

        Fetch(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, String key,
              Optional<StoredResponse> stored, Headers validators, boolean staleOnError) {
            this(req, inbound, fwd, request, key, stored, validators, staleOnError, false);
        }

        private Fetch(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, String key,
                      Optional<StoredResponse> stored, Headers validators, boolean staleOnError, boolean personal) {
            this.req = req;
            this.inbound = inbound;
            this.fwd = fwd;
            this.request = request;
            this.key = key;
            this.stored = stored;
            this.validators = validators;
            this.staleOnError = staleOnError;
            this.personal = personal;
            this.sent = request;
        }

        Fetch leading(Lead l) {
            this.lead = l;
            this.withheld = sharedFetchWithholds(stored);
            this.sent = request.without(withheld.toArray(String[]::new));
            return this;
        }

        private void report(java.util.function.Consumer<Lead> what) {
            if (lead != null) {
                what.accept(lead);
            }
        }

        @Override
        public Set<String> withheld() {
            return withheld;
        }

        @Override
        public void abandoned() {
            report(Lead::failed);
        }

        @Override
        public Headers upstreamHeaders() {
            return validators;
        }

        @Override
        public boolean onHead(HttpClientResponse response) {
            int status = response.statusCode();
            if (stored.isPresent() && status == 304 && !validators.fields().isEmpty()) {
                revalidated(response);
                return true;
            }
            if (stored.isPresent() && status >= 500 && staleOnError) {
                report(Lead::failed);
                serveStale();
                return true; // RFC 5861 §4
            }
            if (lead == null || withheld.stream().noneMatch(request::contains)) {
                return false; // the client's own request went out: the answer is its own
            }
            Headers headers = HeaderAdapter.toHeaders(copyEndToEnd(response.headers()));
            Instant responseTime = clock.instant();
            boolean candidate = mayStore(status, headers, Forwarder.contentLength(response.headers()), sent, requestTime,
                    responseTime);
            if (candidate && sameVariant(headers, request, sent)) {
                return false;
            }
            // Made without this client's credentials, and not an answer it may be given: it gets its own,
            // while the shared answer, if it may be kept, is stored for everyone else.
            if (candidate) {
                Capture capture = capture(key, sent, status, headers, requestTime, responseTime, stamp,
                        () -> report(Lead::filled), () -> report(Lead::unshareable));
                response.handler(capture::chunk);
                response.exceptionHandler(t -> report(Lead::failed));
                response.endHandler(v -> capture.complete());
            } else {
                report(status >= 500 ? Lead::failed : Lead::unshareable);
            }
            fwd.forward(req, inbound, personal());
            return true;
        }

        /** RFC 9111 §4.3.3, §4.3.4: the stored response is still good; its headers are refreshed and re-checked. */
        private void revalidated(HttpClientResponse notModified) {
            StoredResponse refreshed = refreshed(stored.get(), notModified, requestTime, stamp);
            if (mayKeep(refreshed, sent)) {
                put(key, sent, refreshed).subscribe().with(ok -> report(Lead::filled));
            } else {
                // §4.3.4: the 304 made it private, no-store or otherwise unfit to share: it goes
                dropVariant(key, stored.get(), request);
                report(Lead::unshareable);
            }
            if (sameVariant(refreshed.headers(), request, sent)) {
                Duration age = Freshness.currentAge(refreshed.headers(), timing(refreshed), clock.instant());
                serve(req, request, refreshed, age, CacheOutcome.REVALIDATED, CacheHeaders.forward("stale", 304, true));
            } else {
                fwd.forward(req, inbound, personal()); // a new Vary names a header that was withheld
            }
        }

        private Fetch personal() {
            return new Fetch(req, inbound, fwd, request, key, Optional.empty(), Headers.EMPTY, false, true);
        }

        @Override
        public boolean onFailure(Throwable cause) {
            report(Lead::failed);
            if (stored.isPresent() && staleOnError) {
                serveStale();
                return true;
            }
            if (stored.isPresent() && !CachePolicy.allowsStale(stored.get().headers()) && !gone(req)) {
                // RFC 9111 §5.2.2.2: a response that must be revalidated is never served stale; a cache
                // that cannot reach the origin answers 504
                meters.outcome(CacheOutcome.ERROR);
                req.resume();
                Forwarder.sendError(req, 504, "the stored response must be revalidated and the upstream could not be reached", false);
                return true;
            }
            return false;
        }

        void serveStale() {
            StoredResponse s = stored.orElseThrow();
            Duration age = Freshness.currentAge(s.headers(), timing(s), clock.instant());
            serve(req, request, s, age, CacheOutcome.STALE, CacheHeaders.hit(lifetime(s).minus(age).toSeconds()));
        }

        @Override
        public Capture onRelay(HttpClientResponse response, MultiMap relayed) {
            int status = response.statusCode();
            Headers headers = HeaderAdapter.toHeaders(relayed);
            Instant responseTime = clock.instant();
            boolean candidate = !personal && req.method() == HttpMethod.GET
                    && mayStore(status, headers, Forwarder.contentLength(relayed), sent, requestTime, responseTime);
            relayed.set(CacheHeaders.X_CACHE, "MISS");
            relayed.set(CacheHeaders.CACHE_STATUS,
                    CacheHeaders.forward(stored.isPresent() ? "stale" : "uri-miss", status, candidate));
            if (!candidate) {
                // An error is worth another try by a waiter; anything else others may not be given.
                report(status >= 500 ? Lead::failed : Lead::unshareable);
                return null;
            }
            return capture(key, sent, status, headers, requestTime, responseTime, stamp,
                    () -> report(Lead::filled), () -> report(Lead::unshareable));
        }

        @Override
        public CacheOutcome outcome() {
            return CacheOutcome.MISS;
        }
    }

    /**
     * What a fetch made for everyone leaves out of the client's request (DESIGN rule 15): its conditionals
     * and Range (the cache answers those itself), and its credentials unless the stored response varies on
     * them (then they are part of the key).
     */
    private static Set<String> sharedFetchWithholds(Optional<StoredResponse> stored) {
        List<String> keyed = stored.map(s -> Vary.fields(s.headers())).orElse(List.of());
        Set<String> withheld = new HashSet<>(CLIENT_CONDITIONALS);
        for (String credential : CLIENT_CREDENTIALS) {
            if (!keyed.contains(credential)) {
                withheld.add(credential);
            }
        }
        return withheld;
    }

    /** Whether a response varying as {@code response} says selects the same variant for both requests (RFC 9111 §4.1). */
    private static boolean sameVariant(Headers response, Headers a, Headers b) {
        List<String> fields = Vary.fields(response);
        return fields.isEmpty() || !fields.contains("*") && Vary.secondaryKey(fields, a).equals(Vary.secondaryKey(fields, b));
    }

    /**
     * Whether a response refreshed by a 304 may still be stored and shared (RFC 9111 §4.3.4: re-checked as
     * new). The request's cookie is left out: a 304 confirms the stored body, it cannot have personalised it.
     */
    private boolean mayKeep(StoredResponse refreshed, Headers sent) {
        return Storability.forSharedCache("GET", sent.without("Cookie"), refreshed.status(), refreshed.headers(),
                settings.storeSetCookie())
                instanceof Storability.Storable
                && timeToLive(refreshed.status(), refreshed.headers(), timing(refreshed), clock.instant()).isPositive();
    }

    /** Removes the stored response {@code request} selected (its variant, or the key itself). */
    private void dropVariant(String key, StoredResponse stored, Headers request) {
        List<String> fields = Vary.fields(stored.headers());
        invalidate(fields.isEmpty() ? key : variantKey(key, fields, request)).subscribe().with(ok -> { });
    }

    private Duration lifetime(StoredResponse stored) {
        return Freshness.lifetime(stored.status(), stored.headers(), CacheControl.of(stored.headers()),
                timing(stored), settings.policy().heuristics()).map(Freshness.Lifetime::value).orElse(Duration.ZERO);
    }

    /** Serves a stored response: Age, cache headers, a 304 for a client's satisfied conditional, no body for HEAD. */
    private void serve(HttpServerRequest req, Headers request, StoredResponse stored, Duration age, CacheOutcome outcome,
                       String cacheStatus) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        req.resume(); // a GET body, if any, is read and dropped
        MultiMap out = resp.headers();
        boolean notModified = stored.status() == 200 && Conditional.isConditionalRequest(request)
                && Conditional.notModified(request, stored.headers());
        // RFC 9110 §14.2: Range is defined for GET only, and served here from a complete stored 200
        Ranges.Answer range = !notModified && stored.status() == 200 && req.method() == HttpMethod.GET
                && request.contains("Range") ? Ranges.evaluate(request, stored.headers(), stored.body().length)
                : new Ranges.Full();
        if (notModified) {
            resp.setStatusCode(304);
            for (String field : NOT_MODIFIED_FIELDS) {
                stored.headers().all(field).forEach(v -> out.add(field, v));
            }
        } else if (range instanceof Ranges.Unsatisfiable u) {
            resp.setStatusCode(416); // §15.5.17
            out.set("Content-Range", u.contentRange());
            out.set(HttpHeaders.CONTENT_LENGTH, "0");
        } else {
            resp.setStatusCode(range instanceof Ranges.Partial ? 206 : stored.status());
            HeaderAdapter.addAll(stored.headers().without("Age"), out);
        }
        out.set("Age", Long.toString(age.toSeconds())); // RFC 9111 §5.1
        out.set(CacheHeaders.X_CACHE, outcome == CacheOutcome.STALE ? "STALE" : "HIT");
        out.set(CacheHeaders.CACHE_STATUS, cacheStatus);
        meters.outcome(outcome);
        if (notModified || range instanceof Ranges.Unsatisfiable) {
            resp.end();
        } else if (range instanceof Ranges.Partial p) {
            out.set("Content-Range", p.contentRange());
            int length = (int) (p.last() - p.first() + 1);
            out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(length));
            resp.end(Buffer.buffer(Unpooled.wrappedBuffer(stored.body(), (int) p.first(), length)));
        } else if (req.method() == HttpMethod.HEAD) {
            if (!out.contains(HttpHeaders.CONTENT_LENGTH)) {
                out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(stored.body().length));
            }
            resp.end();
        } else {
            resp.end(Buffer.buffer(Unpooled.wrappedBuffer(stored.body()))); // the stored array is never written to
        }
    }

    /**
     * RFC 5861 §3: one background request refreshes a stale (or, early, a nearly stale) entry, for the whole
     * deployment: the refresh joins the key's flight and is skipped when one is already under way.
     */
    private void refresh(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, String key,
                         StoredResponse stored, long lookedUpAt) {
        coalescer.join(key, lookedUpAt, new Refresh(req, inbound, fwd, request, key, stored));
    }

    private void backgroundFetch(HttpServerRequest req, Inbound inbound, Forwarder fwd, Headers request, String key,
                                 StoredResponse stored, Lead lead) {
        Instant requestTime = clock.instant();
        Instant stamp = purges.stamp(requestTime);
        // made for everyone: none of the triggering client's conditionals, Range or unkeyed credentials
        Set<String> withheld = sharedFetchWithholds(Optional.of(stored));
        Headers sent = request.without(withheld.toArray(String[]::new));
        fwd.fetchInBackground(req, inbound, Conditional.validatorsFor(stored.headers()), withheld).onComplete(ar -> {
            if (ar.failed()) {
                lead.failed();
                return;
            }
            HttpClientResponse response = ar.result();
            if (response.statusCode() == 304) {
                response.resume();
                StoredResponse refreshed = refreshed(stored, response, requestTime, stamp);
                if (mayKeep(refreshed, sent)) {
                    put(key, sent, refreshed).subscribe().with(ok -> lead.filled());
                } else {
                    dropVariant(key, stored, sent); // RFC 9111 §4.3.4: re-checked, and no longer to be shared
                    lead.unshareable();
                }
                return;
            }
            Headers headers = HeaderAdapter.toHeaders(copyEndToEnd(response.headers()));
            Instant responseTime = clock.instant();
            int status = response.statusCode();
            if (!mayStore(status, headers, Forwarder.contentLength(response.headers()), sent, requestTime, responseTime)) {
                response.resume();
                if (status >= 500) {
                    lead.failed();
                } else {
                    lead.unshareable();
                }
                return;
            }
            Exchange.Capture capture = capture(key, sent, status, headers, requestTime, responseTime, stamp,
                    lead::filled, lead::unshareable);
            response.handler(capture::chunk);
            response.exceptionHandler(t -> lead.failed());
            response.endHandler(v -> capture.complete());
        });
    }

    /**
     * Whether a fetched response may be stored and shared: within the size limit (as declared), storable
     * by a shared cache (RFC 9111 §3), and with some time to live.
     */
    private boolean mayStore(int status, Headers headers, long contentLength, Headers request, Instant requestTime,
                             Instant responseTime) {
        return contentLength <= settings.maxObjectSize()
                && Storability.forSharedCache("GET", request, status, headers, settings.storeSetCookie()) instanceof Storability.Storable
                && timeToLive(status, headers, new Freshness.Timing(requestTime, responseTime), responseTime).isPositive();
    }

    /**
     * Copies the body while it streams and stores the response (with its tags) once it ended; then
     * {@code filled}, or {@code notShared} when it was too large or may only be revalidated, not reused.
     */
    private Exchange.Capture capture(String key, Headers request, int status, Headers headers, Instant requestTime,
                                     Instant responseTime, Instant stamp, Runnable filled, Runnable notShared) {
        List<String> tags = Tags.of(headers, settings.tagHeaders());
        Runnable stored = reusable(status, headers, new Freshness.Timing(requestTime, responseTime)) ? filled : notShared;
        return new Exchange.Capture(settings.maxObjectSize(),
                body -> put(key, request, new StoredResponse(status, headers, body, requestTime, responseTime, tags, stamp))
                        .subscribe().with(ok -> stored.run()),
                notShared);
    }

    /** RFC 9111 §4.3.4: the stored response with the 304's headers; its tags kept, stamped anew. */
    private StoredResponse refreshed(StoredResponse stored, HttpClientResponse notModified, Instant requestTime, Instant stamp) {
        Headers merged = Conditional.merge(stored.headers(), HeaderAdapter.toHeaders(copyEndToEnd(notModified.headers())));
        if (!merged.contains("Date")) {
            merged = merged.with("Date", HttpDate.format(clock.instant()));
        }
        return new StoredResponse(stored.status(), merged, stored.body(), requestTime, clock.instant(), stored.tags(), stamp);
    }

    private static MultiMap copyEndToEnd(MultiMap headers) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyEndToEnd(headers, out, false);
        return out;
    }

    /** Stores a response (and, when it varies, its variant index), after the client has it. Never fails. */
    private Uni<Void> put(String key, Headers request, StoredResponse response) {
        // A Set-Cookie is for the client that caused the fetch; a stored copy never carries one. Tags are
        // kept apart from the headers, which lose them when clients are not to see them.
        Headers headers = response.headers().without(CacheHeaders.X_CACHE, CacheHeaders.CACHE_STATUS, "Set-Cookie");
        if (settings.stripTagHeaders()) {
            headers = headers.without(settings.tagHeaders().toArray(String[]::new));
        }
        StoredResponse clean = new StoredResponse(response.status(), headers, response.body(), response.requestTime(),
                response.responseTime(), response.tags(), response.stamp());
        Duration ttl = timeToLive(clean.status(), headers, timing(clean), clock.instant());
        if (!ttl.isPositive()) {
            return Uni.createFrom().voidItem();
        }
        if (ttl.compareTo(settings.maxTtl()) > 0) {
            ttl = settings.maxTtl(); // purge records are kept this long: nothing may outlive them
        }
        Duration keep = ttl;
        List<String> fields = Vary.fields(headers);
        byte[] encoded = StoredResponseCodec.encode(clean);
        String written = fields.isEmpty() ? key : variantKey(key, fields, request);
        Uni<Void> write = fields.isEmpty()
                ? store.put(key, encoded, keep)
                : store.get(key).chain(entry -> {
                    Optional<VariantIndex> index = withVariant(entry, fields, variantId(fields, request), keep);
                    if (index.isEmpty()) {
                        meters.variantsCapped();
                        return Uni.createFrom().voidItem(); // served, not stored: the URL has its fill of variants
                    }
                    Duration indexTtl = entry.map(CacheStore.Entry::ttl).filter(t -> t.compareTo(keep) > 0).orElse(keep);
                    return store.put(key, StoredResponseCodec.encode(index.get()), indexTtl)
                            .chain(() -> store.put(written, encoded, keep));
                });
        return write.invoke(() -> {
            // other replicas drop their in-process copies of what was just replaced
            coalescer.announceWrite(key);
            if (!written.equals(key)) {
                coalescer.announceWrite(written);
            }
        }).onFailure().recoverWithItem(failed -> {
            LOG.debugf("cache write for %s failed: %s", key, failed);
            return null;
        });
    }

    /** What purges make of a stored response to this request's target. */
    private Purges.Verdict verdict(Inbound inbound, StoredResponse s) {
        return purges.check(keyHost(inbound), inbound.target(), s.tags(), s.stamp());
    }

    /** Removes the purge-tag headers from what a client is about to see, unless configured to keep them. */
    void stripTagHeaders(MultiMap out) {
        if (settings.stripTagHeaders()) {
            for (String field : settings.tagHeaders()) {
                out.remove(field);
            }
        }
    }

    /** Removes a key (a variant index takes its variants with it) and tells the other replicas. Never fails. */
    private Uni<Void> invalidate(String key) {
        return store.remove(key).invoke(removed -> coalescer.announceWrite(key)).replaceWithVoid()
                .onFailure().recoverWithItem(failed -> {
                    LOG.debugf("invalidation of %s failed: %s", key, failed);
                    return null;
                });
    }

    /**
     * How long the store keeps a response: what is left of its freshness plus the stale window it may still
     * be served in, or the configured keep for one with a validator (DESIGN: Redis TTL = freshness
     * lifetime + stale window).
     */
    private Duration timeToLive(int status, Headers headers, Freshness.Timing timing, Instant now) {
        return TimeToLive.of(status, headers, timing, now, settings.policy(), settings.keep());
    }

    /**
     * Whether a response may be reused without revalidation at all (it has a freshness lifetime): only
     * then is it handed to the requests waiting for the fetch that brought it. One kept only to be
     * revalidated (no-cache, or a validator and nothing else) is revalidated by each request.
     */
    private boolean reusable(int status, Headers headers, Freshness.Timing timing) {
        CacheControl cc = CacheControl.of(headers);
        return !cc.has("no-cache") && Freshness.lifetime(status, headers, cc, timing, settings.policy().heuristics())
                .map(l -> l.value().isPositive()).orElse(false);
    }

    private Uni<Optional<StoredResponse>> lookup(String key, Headers request) {
        return store.get(key).chain(entry -> {
            Optional<StoredValue> value = entry.flatMap(e -> StoredResponseCodec.decodeAny(e.value()));
            if (value.isEmpty()) {
                return Uni.createFrom().item(Optional.<StoredResponse>empty());
            }
            return switch (value.get()) {
                case StoredResponse r -> Uni.createFrom().item(Optional.of(r).filter(found -> acceptable(request, found)));
                case VariantIndex index -> store.get(variantKey(key, index.fields(), request))
                        .map(e -> e.flatMap(v -> StoredResponseCodec.decode(v.value())).filter(found -> acceptable(request, found)));
            };
        });
    }

    /**
     * RFC 9110 §12.5.3: a stored body goes only to a request that accepts its Content-Encoding; for any
     * other request it is not there (another variant, or a miss).
     */
    private static boolean acceptable(Headers request, StoredResponse stored) {
        return ContentCoding.acceptable(request, stored.headers());
    }

    private static Freshness.Timing timing(StoredResponse s) {
        return new Freshness.Timing(s.requestTime(), s.responseTime());
    }

    /** The primary cache key (RFC 9111 §2) of a request, as stored. */
    private String key(Inbound inbound) {
        return key(inbound, inbound.target());
    }

    private String key(Inbound inbound, String target) {
        return new CacheKey(inbound.scheme(), keyHost(inbound), target, inbound.keyParts()).value();
    }

    /** The host keys are made with: the configured one (shared by every way of reaching the pod), or the request's. */
    private String keyHost(Inbound inbound) {
        return settings.keyHost().orElse(inbound.authority());
    }

    /** A variant's key: the primary key and a digest of its secondary key (no request header values in key names). */
    static String variantKey(String key, List<String> fields, Headers request) {
        return key + " #" + variantId(fields, request);
    }

    private static String variantId(List<String> fields, Headers request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Vary.secondaryKey(fields, request).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /**
     * The variant index that records variant {@code id} as well (expired variants forgotten), or empty when
     * the URL already holds {@code maxVariants} others: a client sending random values of a varied header
     * cannot flood the store. Replicas writing at the same moment may each add one past the cap.
     */
    private Optional<VariantIndex> withVariant(Optional<CacheStore.Entry> entry, List<String> fields, String id,
                                               Duration ttl) {
        long now = clock.millis();
        List<VariantIndex.Variant> live = new ArrayList<>();
        entry.flatMap(e -> StoredResponseCodec.decodeAny(e.value()))
                .filter(v -> v instanceof VariantIndex index && index.fields().equals(fields))
                .ifPresent(v -> ((VariantIndex) v).variants().stream()
                        .filter(variant -> variant.expiresAtMillis() > now && !variant.id().equals(id))
                        .forEach(live::add));
        if (live.size() >= settings.maxVariants()) {
            return Optional.empty();
        }
        live.add(new VariantIndex.Variant(id, now + ttl.toMillis()));
        return Optional.of(new VariantIndex(fields, live));
    }

    /** A Location/Content-Location on the request's host, as an origin-form target (RFC 9111 §4.4). */
    static Optional<String> sameHostTarget(String host, String requestPath, String location) {
        if (location == null || location.isBlank()) {
            return Optional.empty();
        }
        try {
            URI base = URI.create("http://" + (host == null ? "localhost" : host) + requestPath);
            URI target = base.resolve(location.trim());
            if (target.getRawAuthority() == null || !RequestTarget.authority(target.getRawAuthority(),
                    String.valueOf(target.getScheme()).toLowerCase(Locale.ROOT)).equals(Optional.ofNullable(host))) {
                return Optional.empty();
            }
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            return Optional.of(target.getRawQuery() == null ? path : path + "?" + target.getRawQuery());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void onContext(Context context, Runnable action) {
        if (context == null || Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
