package dev.outrigger.proxy;

import dev.outrigger.rules.Route;
import dev.outrigger.rules.Routes;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Optional;

/**
 * A request meets its route: which rule takes it, and the request as that rule keys and forwards it. Also the
 * route's answers the steps before the cache need (the session a route asks for, the field it keys users by).
 * Without rules every request is the default route's, untouched.
 */
final class RouteStep {

    private final Routes routes;

    RouteStep(Routes routes) {
        this.routes = routes;
    }

    /**
     * The request as its route takes it. A GET or HEAD the cache will handle ({@code cached}) on a route that
     * caches is forwarded as keyed (query as the route keeps it; only keyed cookies). Any other method keeps
     * its target and headers, and is keyed as a GET for the same target would be: that is what it
     * invalidates. A GET or HEAD the cache will not handle (an upgrade, a body, a precondition) is only named
     * by its route, for the meters, and reaches the application as it came.
     */
    Inbound route(HttpServerRequest req, Inbound inbound, boolean cached) {
        Optional<Duration> partTtl = inbound.hop() == null ? Optional.empty() : inbound.hop().ttl();
        if (routes.isEmpty() && partTtl.isEmpty() || inbound.target().equals("*")) {
            return inbound;
        }
        MultiMap in = req.headers();
        boolean safe = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
        Routes.Match match = routes.match(safe ? req.method().name() : "GET", inbound.authority(), path(inbound.target()), in::getAll);
        Route route = match.route();
        if (route == Route.DEFAULT && partTtl.isEmpty()) {
            return inbound;
        }
        if (partTtl.isPresent()) {
            route = route.withTtl(partTtl.get()); // an aggregate part's ttl judges what its fetches store
        }
        if (safe && (!cached || !route.lookup() && !route.store())) {
            return inbound.routed(Route.Routed.passing(route, inbound.target()), false); // left as it came
        }
        Route.Routed routed = route.route(inbound.target(), in::getAll, match.variables(), inbound.trace()::sessionField);
        if (safe && routed.cookieHeader().isPresent()) {
            // DESIGN rule 15: cookies the key does not hold never reach the application on a cached request
            if (routed.cookieHeader().get().isEmpty()) {
                in.remove(HttpHeaders.COOKIE);
            } else {
                in.set(HttpHeaders.COOKIE, routed.cookieHeader().get());
            }
        }
        return inbound.routed(routed, safe);
    }

    /**
     * The session field the route of a GET or HEAD keys its users by, if it does: a request whose session has that
     * field may then be cached, under its user's key.
     */
    Optional<String> userSessionField(HttpServerRequest req, Inbound inbound) {
        return byOwnMethod(req, inbound).flatMap(Route::userSessionField);
    }

    /** The {@code auth} of the route that takes the request (by its own method); empty: the sessions' default. */
    Optional<String> routeAuth(HttpServerRequest req, Inbound inbound) {
        return byOwnMethod(req, inbound).flatMap(Route::auth);
    }

    /** The rule that takes the request by its own method; empty without rules or for {@code *}. */
    private Optional<Route> byOwnMethod(HttpServerRequest req, Inbound inbound) {
        if (routes.isEmpty() || inbound.target().equals("*")) {
            return Optional.empty();
        }
        return Optional.of(routes.match(req.method().name(), inbound.authority(), path(inbound.target()),
                req.headers()::getAll).route());
    }

    /** The path of an origin-form target. */
    static String path(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
