package dev.outrigger.proxy;

import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.session.SessionGate;
import dev.outrigger.session.SessionSettings;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.jboss.logging.Logger;

/**
 * The session step of a request past hygiene: client-sent session headers removed (always), then, on a route that
 * takes sessions, the gate's verdict applied: the client answered (401, 503), or the request handed on with the
 * session attached. The wait for the verdict never blocks: the request stays paused until it comes.
 */
final class SessionCheck {

    private static final Logger LOG = Logger.getLogger(SessionCheck.class);

    /** Where an admitted request goes on; {@code withSession}: a user's session was attached. */
    interface Next {
        void proceed(HttpServerRequest req, RequestTrace trace, Inbound checked, boolean withSession);
    }

    private final SessionGate sessions;
    private final RouteStep routing;
    private final Meters meters;

    SessionCheck(SessionGate sessions, RouteStep routing, Meters meters) {
        this.sessions = sessions;
        this.routing = routing;
        this.meters = meters;
    }

    /** {@code req} is paused. */
    void admit(HttpServerRequest req, RequestTrace trace, Inbound checked, Next next) {
        MultiMap in = req.headers();
        sessions.strip(in); // the application takes these as the session: a client never sends them through
        // a CORS preflight carries no credentials by design (Fetch standard): it is not asked for a token
        boolean preflight = req.method() == HttpMethod.OPTIONS && in.contains("Origin") && in.contains("Access-Control-Request-Method");
        SessionSettings.Auth auth = preflight ? SessionSettings.Auth.NONE : sessions.auth(routing.routeAuth(req, checked));
        if (auth == SessionSettings.Auth.NONE) {
            next.proceed(req, trace, checked, false);
            return;
        }
        Context context = Vertx.currentContext();
        sessions.check(in, req.path(), auth).subscribe().with(verdict -> Contexts.onContext(context, () -> {
            if (verdict instanceof SessionGate.Verdict.Proceed p && p.revokeAfter().isPresent()) {
                String sha = p.revokeAfter().get();
                trace.alsoAtEnd(() -> sessions.revoke(sha).subscribe().with(ok -> { },
                        failed -> LOG.warnf("logout: session revoked on this replica only: %s", failed.toString())));
            }
            if (req.response().closed()) {
                return; // the client left while its session was looked up
            }
            switch (verdict) {
                case SessionGate.Verdict.Refuse r -> {
                    r.challenge().ifPresent(c -> req.response().putHeader("WWW-Authenticate", c));
                    trace.outcome(meters, Meters.DEFAULT_ROUTE, CacheOutcome.ERROR);
                    ErrorResponse.send(req, r.status(), r.reason(), false);
                }
                case SessionGate.Verdict.Proceed p -> {
                    p.session().ifPresent(s -> {
                        sessions.attach(in, s);
                        if (p.revokeAfter().isEmpty()) {
                            trace.session(s.session()); // a logout is never answered from the cache: it must reach the app
                        }
                    });
                    next.proceed(req, trace, checked, p.session().isPresent());
                }
            }
        }), failed -> Contexts.onContext(context, () -> {
            // never expected (the gate does not fail); a request must not hang paused because of it
            LOG.warnf("session gate failed: %s", failed.getClass().getSimpleName());
            trace.outcome(meters, Meters.DEFAULT_ROUTE, CacheOutcome.ERROR);
            ErrorResponse.send(req, 503, "the session could not be resolved now; try again", false);
        }));
    }
}
