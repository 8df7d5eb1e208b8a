package dev.outrigger.proxy;

import dev.outrigger.cache.BodyCapture;
import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.cache.Retention;
import dev.outrigger.cache.SharedFetch;
import dev.outrigger.cache.Variants;
import dev.outrigger.coalesce.Lead;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.store.StoredResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A miss or a revalidation: the upstream's answer may be stored, or (304) refresh what is stored. When
 * it leads the key's flight it is made for everyone: without the client's credentials and conditionals
 * (unless the stored response varies on them), and a client whose own request would have differed gets
 * a fetch of its own when the shared answer is not one it may be given.
 */
final class Fetch implements Exchange {
    private final CacheParts parts;
    final HttpServerRequest req;
    final Inbound inbound;
    private final Upstream fwd;
    final Headers request;
    final String key;
    final Optional<StoredResponse> stored;
    private final List<String> keyed;
    private final Headers validators;
    private final boolean staleOnError;
    /** A fetch of the client's own after the shared answer was not its to have: never stored. */
    private final boolean personal;
    /** When the upstream request went out, and the purge stamp taken then (set by {@link #onSend}). */
    private Instant requestTime;
    private Instant stamp;
    /** Set when this fetch is for the key's whole flight: it reports how it ended. */
    private Lead lead;
    private Set<String> withheld = Set.of();
    /** Let through to the application while it is failing: the probe. */
    private boolean probing;
    /** The request as the upstream received it: what the answer's variant is computed from. */
    private Headers sent;

    /**
     * {@code keyed}: the request fields the URL's responses vary on, as far as the lookup knew them (they are
     * part of the key, so a fetch made for everyone may carry them).
     */
    Fetch(CacheParts parts, HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, String key,
          Optional<StoredResponse> stored, List<String> keyed, Headers validators, boolean staleOnError) {
        this(parts, req, inbound, fwd, request, key, stored, keyed, validators, staleOnError, false);
    }

    private Fetch(CacheParts parts, HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, String key,
                  Optional<StoredResponse> stored, List<String> keyed, Headers validators, boolean staleOnError,
                  boolean personal) {
        this.parts = parts;
        onSend();
        this.req = req;
        this.inbound = inbound;
        this.fwd = fwd;
        this.request = request;
        this.key = key;
        this.stored = stored;
        this.keyed = keyed;
        this.validators = validators;
        this.staleOnError = staleOnError;
        this.personal = personal;
        this.sent = request;
    }

    Fetch leading(Lead l) {
        this.lead = l;
        this.withheld = SharedFetch.withheld(keyed);
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

    /** The age of what comes back counts from now, and so does its purge stamp (a waiter may lead late). */
    @Override
    public void onSend() {
        requestTime = parts.clock().instant();
        stamp = parts.purges().stamp(requestTime);
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
            if (ofTheApplication()) {
                parts.health().keyFailed(key);
            }
            report(Lead::failed);
            serveStale();
            return true; // RFC 5861 §4
        }
        if (lead == null || withheld.stream().noneMatch(request::contains)) {
            return false; // the client's own request went out: the answer is its own
        }
        Headers headers = HeaderAdapter.endToEnd(response.headers());
        Instant responseTime = parts.clock().instant();
        Optional<String> rule = rule(status, headers, responseTime);
        boolean candidate = inbound.route().store() && parts.retention().mayStore(status, Retention.judged(headers, rule),
                HeaderRules.contentLength(response.headers()), sent, requestTime, responseTime, perUser());
        // its own Set-Cookie would be another client's (an anonymous session replacing this client's)
        if (candidate && Variants.sameVariant(headers, request, sent) && !headers.contains("Set-Cookie")) {
            return false;
        }
        // Made without this client's credentials, and not an answer it may be given: it gets its own,
        // while the shared answer, if it may be kept, is stored for everyone else.
        if (candidate) {
            BodyCapture capture = parts.responses().capture(key, sent, status, headers, requestTime, responseTime, stamp, rule,
                    inbound.routing().tags(), () -> report(Lead::filled), () -> report(Lead::unshareable));
            capture.consume(response, () -> report(Lead::failed));
        } else {
            report(SharedFetch.failedRatherThanUnshareable(status) ? Lead::failed : Lead::unshareable);
        }
        fwd.forward(req, inbound, personal());
        return true;
    }

    /** RFC 9111 §4.3.3, §4.3.4: the stored response is still good; its headers are refreshed and re-checked. */
    private void revalidated(HttpClientResponse notModified) {
        StoredResponse fresh = parts.responses().refreshed(stored.get(), HeaderAdapter.endToEnd(notModified.headers()), requestTime, stamp);
        StoredResponse refreshed = fresh.withRule(rule(fresh.status(), fresh.headers(), fresh.responseTime()));
        if (!inbound.route().store()) {
            report(Lead::unshareable); // the route stores nothing: the stored copy stays as it was
        } else if (parts.retention().mayKeep(refreshed, sent, perUser())) {
            parts.responses().put(key, sent, refreshed).subscribe().with(ok -> report(Lead::filled));
        } else {
            // §4.3.4: the 304 made it private, no-store or otherwise unfit to share: it goes
            parts.responses().dropVariant(key, stored.get(), request);
            report(Lead::unshareable);
        }
        if (Variants.sameVariant(refreshed.headers(), request, sent)) {
            Duration age = Freshness.currentAge(refreshed.headers(), Retention.timing(refreshed), parts.clock().instant());
            // a Set-Cookie answering a request sent without this client's own cookie is not for this client
            StoredResponse served = sent.equals(request) ? refreshed : refreshed.withHeaders(refreshed.headers().without("Set-Cookie"));
            parts.writer().serve(req, inbound, request, served, age, CacheOutcome.REVALIDATED, CacheHeaders.forward("stale", 304, true));
        } else {
            fwd.forward(req, inbound, personal()); // a new Vary names a header that was withheld
        }
    }

    private Fetch personal() {
        return new Fetch(parts, req, inbound, fwd, request, key, Optional.empty(), keyed, Headers.EMPTY, false, true);
    }

    @Override
    public boolean onFailure(Throwable cause) {
        report(Lead::failed);
        if (stored.isPresent() && staleOnError) {
            if (!req.response().closed() && ofTheApplication()) {
                parts.health().keyFailed(key); // (a client that left reset the fetch itself)
            }
            serveStale();
            return true;
        }
        if (stored.isPresent() && !CachePolicy.allowsStale(stored.get().policyHeaders()) && !(req.response().ended() || req.response().closed())) {
            // RFC 9111 §5.2.2.2: a response that must be revalidated is never served stale; a cache
            // that cannot reach the origin answers 504
            inbound.trace().outcome(parts.meters(), inbound.route().name(), CacheOutcome.ERROR);
            req.resume();
            ErrorResponse.send(req, 504, "the stored response must be revalidated and the upstream could not be reached", false);
            return true;
        }
        return false;
    }

    /**
     * While the application is failing, a request holding a copy it may be given on error gets that copy
     * without asking (unless it is the one probe): true when it was served.
     */
    boolean servedWithoutAsking() {
        if (stored.isEmpty() || !staleOnError || probing || !ofTheApplication()) {
            return false; // (another service's part: the application's health says nothing of it)
        }
        switch (parts.health().ask(key)) {
            case ASK -> {
                return false; // asked again if this request waits and is then sent on (the app may fail meanwhile)
            }
            case PROBE -> {
                probing = true; // the probe, once let through, is not turned back later
                return false;
            }
            case SPARE -> { }
        }
        serveStale(CacheHeaders::staleOnError);
        return true;
    }

    /**
     * The flight this request waited for failed (RFC 5861 §4: an error was encountered, by the fetch made for
     * everyone): a request holding a copy it may be given on error gets it rather than asking the app again.
     */
    boolean servedStaleAfterFailedFetch() {
        if (stored.isEmpty() || !staleOnError) {
            return false;
        }
        serveStale();
        return true;
    }

    void serveStale() {
        serveStale(CacheHeaders::hit);
    }

    /** Serves the stored copy as stale, its Cache-Status made from the seconds of freshness left (negative). */
    private void serveStale(java.util.function.LongFunction<String> cacheStatus) {
        StoredResponse s = stored.orElseThrow();
        Duration age = Freshness.currentAge(s.headers(), Retention.timing(s), parts.clock().instant());
        parts.writer().serve(req, inbound, request, s, age, CacheOutcome.STALE,
                cacheStatus.apply(parts.retention().lifetime(s).minus(age).toSeconds()));
    }

    @Override
    public BodyCapture onRelay(HttpClientResponse response, MultiMap relayed) {
        int status = response.statusCode();
        Headers headers = HeaderAdapter.toHeaders(relayed);
        Instant responseTime = parts.clock().instant();
        // fetched with credentials the key does not cover: made for this client alone, never stored
        boolean ownCredentials = lead == null && SharedFetch.carriesUnkeyedCredentials(request, keyed);
        Optional<String> rule = rule(status, headers, responseTime);
        boolean candidate = !personal && !ownCredentials && req.method() == HttpMethod.GET && inbound.route().store()
                && parts.retention().mayStore(status, Retention.judged(headers, rule), HeaderRules.contentLength(relayed), sent,
                        requestTime, responseTime, perUser());
        boolean lookedUp = inbound.route().lookup();
        relayed.set(CacheHeaders.X_CACHE, lookedUp ? "MISS" : "BYPASS");
        relayed.set(CacheHeaders.CACHE_STATUS,
                CacheHeaders.forward(!lookedUp ? "bypass" : stored.isPresent() ? "stale" : "uri-miss", status, candidate));
        if (!candidate) {
            // An error is worth another try by a waiter; anything else others may not be given.
            report(SharedFetch.failedRatherThanUnshareable(status) ? Lead::failed : Lead::unshareable);
            return null;
        }
        return parts.responses().capture(key, sent, status, headers, requestTime, responseTime, stamp, rule,
                inbound.routing().tags(), () -> report(Lead::filled), () -> report(Lead::unshareable));
    }

    /** The Cache-Control the route judges this response by, when it differs from the response's own. */
    private Optional<String> rule(int status, Headers headers, Instant responseTime) {
        return parts.retention().rule(inbound.routing(), status, headers, new Freshness.Timing(requestTime, responseTime));
    }

    /** Fetched from the pod's application (not another service's aggregate part): what its health is about. */
    private boolean ofTheApplication() {
        return !inbound.remotePart();
    }

    /** Whether the response goes under a key of its user's alone: a per-user route found the user's identity. */
    private boolean perUser() {
        return inbound.routing().identified();
    }

    @Override
    public CacheOutcome outcome() {
        return inbound.route().lookup() ? CacheOutcome.MISS : CacheOutcome.BYPASS;
    }
}
