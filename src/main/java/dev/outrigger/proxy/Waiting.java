package dev.outrigger.proxy;

import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.cache.Servable;
import dev.outrigger.cache.StoredResponses.Found;
import dev.outrigger.cache.StoredResponses;
import dev.outrigger.coalesce.Alone;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Lead;
import dev.outrigger.coalesce.Participant;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.purge.Purges;
import dev.outrigger.store.StoredResponse;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** A request taking part in its key's flight: it leads the fetch, waits for it, or serves stale meanwhile. */
final class Waiting implements Participant {

    private final CacheParts parts;
    private final Coalescer coalescer;
    private final Fetch fetch;
    private final Upstream fwd;
    private final boolean mayServeStale;
    private final boolean canLead;
    /** Acts on what a fill left for this request when it was not a response it could be given: on its own, no more waiting. */
    private final Consumer<Found> alone;
    private final Context context = Vertx.currentContext();
    /** Joined once more after a fill signal that brought nothing new; never twice. */
    private boolean rejoined;

    Waiting(CacheParts parts, Coalescer coalescer, Fetch fetch, Upstream fwd, boolean mayServeStale, boolean canLead,
            Consumer<Found> alone) {
        this.parts = parts;
        this.coalescer = coalescer;
        this.fetch = fetch;
        this.fwd = fwd;
        this.mayServeStale = mayServeStale;
        this.canLead = canLead;
        this.alone = alone;
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
        Contexts.onContext(context, () -> {
            if (gone(fetch.req)) {
                lead.declined();
            } else if (fetch.servedWithoutAsking()) {
                lead.declined(); // the application is failing and this request had a copy for that: the next waiter decides
            } else if (!canLead) {
                lead.declined(); // its answer could not be given to others: it fetches for itself alone
                fwd.forward(fetch.req, fetch.inbound, fetch);
            } else if (!lookFirst) {
                fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead));
            } else {
                parts.responses().find(fetch.key, fetch.request).subscribe().with(
                        looked -> Contexts.onContext(context, () -> {
                            Optional<Servable> found = looked.copy();
                            if (found.isPresent() && newerThanLookup(found.get().response) && unpurged(found.get().response)) {
                                lead.foundFilled();
                                serveCollapsed(found.get());
                            } else {
                                fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead));
                            }
                        }),
                        failed -> Contexts.onContext(context, () -> fwd.forward(fetch.req, fetch.inbound, fetch.leading(lead))));
            }
        });
    }

    @Override
    public void filled() {
        Contexts.onContext(context, () -> {
            if (gone(fetch.req)) {
                return;
            }
            long relookedAt = System.nanoTime();
            parts.responses().find(fetch.key, fetch.request).subscribe().with(
                    looked -> Contexts.onContext(context, () -> {
                        // the copy hits are served from (decoded once, its head encoded once): not one per waiter
                        Optional<StoredResponse> found = looked.response();
                        if (found.isPresent() && newerThanLookup(found.get()) && unpurged(found.get())) {
                            serveCollapsed(looked.copy().get());
                        } else if (found.isPresent() && !newerThanLookup(found.get()) && !rejoined) {
                            // Only what was there before: the signal was about an earlier fill (it can
                            // arrive late). Wait for, or lead, the fetch that is due.
                            rejoin(relookedAt);
                        } else if (found.isEmpty() && looked.varyFields().isEmpty() && !rejoined) {
                            // Nothing there: the fill did not reach the shared store (the filler's Redis
                            // circuit was open), or it is already gone. One more flight for the key, not
                            // one fetch per waiter.
                            rejoin(relookedAt);
                        } else {
                            // not a variant this request may be given (Vary), or gone again: its own fetch
                            parts.meters().coalesceGaveUp(found.isEmpty() ? "nothing-stored" : "other-variant");
                            alone.accept(looked);
                        }
                    }),
                    failed -> Contexts.onContext(context, () -> {
                        // The store did not answer in time (a slow or unreachable Redis, a loaded pod): one
                        // more flight, so that a slow lookup costs latency rather than one fetch per waiter.
                        if (!rejoined) {
                            rejoin(relookedAt);
                        } else {
                            parts.meters().coalesceGaveUp("lookup-failed");
                            fwd.forward(fetch.req, fetch.inbound, fetch);
                        }
                    }));
        });
    }

    private void rejoin(long relookedAt) {
        rejoined = true;
        join(relookedAt);
    }

    @Override
    public void alone(Alone why) {
        Contexts.onContext(context, () -> {
            if (gone(fetch.req)) {
                return;
            }
            if (why == Alone.FAILED && fetch.servedStaleAfterFailedFetch() || fetch.servedWithoutAsking()) {
                return;
            }
            parts.meters().coalesceGaveUp(switch (why) {
                case UNSHAREABLE -> "unshareable";
                case WAIT_TIMED_OUT -> "wait-timed-out";
                case FAILED -> "fetch-failed";
            });
            fwd.forward(fetch.req, fetch.inbound, fetch);
        });
    }

    @Override
    public boolean servedStale() {
        if (!mayServeStale) {
            return false;
        }
        Contexts.onContext(context, fetch::serveStale);
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
        return parts.purges().check(fetch.inbound.authority(), fetch.inbound.target(), s.tags(), s.stamp())
                == Purges.Verdict.NONE;
    }

    private void serveCollapsed(Servable s) {
        Duration age = s.policy.age(parts.clock().instant());
        parts.writer().serve(fetch.req, fetch.inbound, fetch.request, s, age, CacheOutcome.HIT,
                CacheHeaders.collapsed(fetch.stored.isPresent() ? "stale" : "uri-miss", parts.retention().lifetime(s).minus(age).toSeconds()));
    }

    private static boolean gone(HttpServerRequest req) {
        return req.response().ended() || req.response().closed();
    }
}
