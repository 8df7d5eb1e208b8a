package dev.outrigger.proxy;

import dev.outrigger.cache.BodyCapture;
import dev.outrigger.cache.Retention;
import dev.outrigger.cache.SharedFetch;
import dev.outrigger.coalesce.Alone;
import dev.outrigger.coalesce.Lead;
import dev.outrigger.coalesce.Participant;
import dev.outrigger.policy.Conditional;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.Vary;
import dev.outrigger.store.StoredResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A background refresh (stale-while-revalidate, early refresh) as a flight's participant. */
final class Refresh implements Participant {
    private final CacheParts parts;
    private final HttpServerRequest req;
    private final Inbound inbound;
    private final Upstream fwd;
    private final Headers request;
    private final String key;
    private final StoredResponse stored;
    private final Context context = Vertx.currentContext();

    Refresh(CacheParts parts, HttpServerRequest req, Inbound inbound, Upstream fwd, Headers request, String key,
            StoredResponse stored) {
        this.parts = parts;
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
            Contexts.onContext(context, () -> fetch(lead));
            return;
        }
        parts.responses().lookup(key, request).subscribe().with(found -> Contexts.onContext(context, () -> {
            if (found.isPresent() && found.get().responseTime().isAfter(stored.responseTime())) {
                lead.foundFilled(); // refreshed by another meanwhile
            } else {
                fetch(lead);
            }
        }), failed -> Contexts.onContext(context, () -> fetch(lead)));
    }

    @Override
    public void filled() { }

    @Override
    public void alone(Alone why) { }

    /** Its client has been served: another's refresh in flight is all it wanted. */
    @Override
    public boolean servedStale() {
        return true;
    }

    /** Refreshes the entry for the flight {@code lead} stands for, and reports how it ended. */
    private void fetch(Lead lead) {
        Instant requestTime = parts.clock().instant();
        Instant stamp = parts.purges().stamp(requestTime);
        // made for everyone: none of the triggering client's conditionals, Range or unkeyed credentials
        Set<String> withheld = SharedFetch.withheld(inbound.keyed(Vary.fields(stored.headers())));
        boolean perUser = inbound.routing().identified();
        Headers sent = request.without(withheld.toArray(String[]::new));
        fwd.fetchInBackground(req, inbound, Conditional.validatorsFor(stored.headers()), withheld).onComplete(ar -> {
            if (ar.failed()) {
                lead.failed();
                return;
            }
            HttpClientResponse response = ar.result();
            if (response.statusCode() == 304) {
                response.resume();
                StoredResponse fresh = parts.responses().refreshed(stored, HeaderAdapter.endToEnd(response.headers()), requestTime, stamp);
                StoredResponse refreshed = fresh.withRule(parts.retention().rule(inbound.routing(), fresh.status(), fresh.headers(),
                        Retention.timing(fresh)));
                if (parts.retention().mayKeep(refreshed, sent, perUser)) {
                    parts.responses().put(key, sent, refreshed).subscribe().with(ok -> lead.filled());
                } else {
                    // RFC 9111 §4.3.4: re-checked as new, and no longer to be shared
                    parts.responses().dropVariant(key, stored, sent);
                    lead.unshareable();
                }
                return;
            }
            Headers headers = HeaderAdapter.endToEnd(response.headers());
            Instant responseTime = parts.clock().instant();
            int status = response.statusCode();
            Optional<String> rule = parts.retention().rule(inbound.routing(), status, headers,
                    new Freshness.Timing(requestTime, responseTime));
            if (!parts.retention().mayStore(status, Retention.judged(headers, rule), HeaderRules.contentLength(response.headers()),
                    sent, requestTime, responseTime, perUser)) {
                response.resume();
                if (status >= 500) {
                    lead.failed();
                } else {
                    lead.unshareable();
                }
                return;
            }
            BodyCapture capture = parts.responses().capture(key, sent, status, headers, requestTime, responseTime, stamp,
                    rule, inbound.routing().tags(), lead::filled, lead::unshareable);
            capture.consume(response, lead::failed);
        });
    }
}
