package dev.outrigger.proxy;

import dev.outrigger.cache.BodyCapture;
import dev.outrigger.cache.StoredResponses;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.RequestTarget;
import dev.outrigger.purge.Purge;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.rules.Routes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * RFC 9111 §4.4: a request with an unsafe method that succeeds invalidates the stored responses for its target
 * and for a same-host Location or Content-Location. Forwarded as it came, the cache taking no other part.
 */
final class WriteInvalidation {

    private static final Logger LOG = Logger.getLogger(WriteInvalidation.class);

    private final StoredResponses responses;
    private final Routes routes;
    private final PurgeBus purgeBus;
    private final RouteStep routing;

    WriteInvalidation(StoredResponses responses, Routes routes, PurgeBus purgeBus, RouteStep routing) {
        this.responses = responses;
        this.routes = routes;
        this.purgeBus = purgeBus;
        this.routing = routing;
    }

    /**
     * For any method but GET/HEAD: forward; for an unsafe one, invalidate on success. OPTIONS and TRACE are
     * safe (RFC 9110 §9.2.1).
     */
    Exchange exchange(HttpServerRequest req, Inbound inbound) {
        boolean safe = req.method() == HttpMethod.OPTIONS || req.method() == HttpMethod.TRACE;
        Context context = Vertx.currentContext();
        Exchange relayed = Exchange.bypass("method");
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
                return invalidate(req, inbound, response, context);
            }

            @Override
            public BodyCapture onRelay(HttpClientResponse response, MultiMap head) {
                return relayed.onRelay(response, head); // relayed as any bypass is, named "method"
            }

            @Override
            public CacheOutcome outcome() {
                return relayed.outcome();
            }
        };
    }

    private Future<Void> invalidate(HttpServerRequest req, Inbound inbound, HttpClientResponse response, Context context) {
        List<Inbound> targets = new ArrayList<>();
        targets.add(inbound);
        for (String field : new String[] {"Location", "Content-Location"}) {
            sameHostTarget(inbound.authority(), inbound.target(), response.getHeader(field))
                    .flatMap(RequestTarget::normalize)
                    .ifPresent(target -> targets.add(routing.route(req, new Inbound(inbound.scheme(), inbound.authority(), target,
                            inbound.forwarding(), false, false, inbound.trace()), false)));
        }
        List<Uni<Void>> removals = new ArrayList<>(targets.stream().map(Inbound::key).distinct()
                .map(responses::invalidate).toList());
        List<String> urls = targets.stream().flatMap(t -> routes.sharedVariantTargets(t.authority(), t.target()).stream()
                .map(keyed -> url(t, keyed))).distinct().toList();
        if (!urls.isEmpty()) {
            // Each key holds one header or cookie value; the URL's other values' entries go by a purge
            // of the URL as routes key it (RFC 9111 §4.4). It holds in this pod before the client is
            // answered; the other replicas hear it a moment later, as they hear removed keys.
            purgeBus.purge(new Purge(urls, List.of(), List.of(), false, false, 0)).subscribe().with(ok -> { },
                    failed -> LOG.debugf("invalidation of %s reached this replica only: %s", urls, failed));
        }
        Promise<Void> done = Promise.promise();
        Uni.join().all(removals).andCollectFailures()
                .subscribe().with(ok -> Contexts.onContext(context, done::complete),
                        failed -> Contexts.onContext(context, done::complete));
        return done.future();
    }

    /** The URL a purge names for {@code keyed}, a target of {@code inbound}'s host. */
    private static String url(Inbound inbound, String keyed) {
        return inbound.authority().isEmpty() ? keyed : inbound.scheme() + "://" + inbound.authority() + keyed;
    }

    /** A Location/Content-Location on the request's host, as an origin-form target (RFC 9111 §4.4). */
    private static Optional<String> sameHostTarget(String host, String requestPath, String location) {
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
}
