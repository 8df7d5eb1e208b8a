package dev.outrigger.purge;

import dev.outrigger.rules.Routes;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code POST /admin/purge} on the management port (never the traffic port), for holders of
 * {@code OUTRIGGER_ADMIN_TOKEN}: 200 with what was purged, 400 with a one-line reason, 401 without the
 * token, 403 when no token is configured, 503 when the other replicas could not be told.
 */
@Singleton
public class PurgeApi {

    private static final Logger LOG = Logger.getLogger(PurgeApi.class);
    static final String PATH = "/admin/purge";
    private static final int MAX_BODY = 1 << 20;

    private final PurgeBus bus;
    private final AdminToken token;
    private final Routes routes;

    PurgeApi(PurgeBus bus, Routes routes, @ConfigProperty(name = "outrigger.admin.token") Optional<String> token) {
        this.bus = bus;
        this.routes = routes;
        this.token = new AdminToken(token);
    }

    void routes(@Observes ManagementInterface management) {
        // Quarkus may already have read the body (up to quarkus.http.limits.max-body-size); the size is
        // checked again in purge().
        management.router().route(PATH).method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .handler(this::purge);
        management.router().route(PATH).handler(rc -> {
            rc.response().putHeader(HttpHeaders.ALLOW, "POST");
            answer(rc, 405, "use POST");
        });
    }

    private void purge(RoutingContext rc) {
        if (!token.admits(rc)) {
            return;
        }
        io.vertx.core.buffer.Buffer body = rc.body() == null ? null : rc.body().buffer();
        if (body != null && body.length() > MAX_BODY) {
            answer(rc, 413, "a purge body is at most " + MAX_BODY + " bytes");
            return;
        }
        Purge p;
        try {
            p = Purge.parse(body == null ? "" : body.toString(java.nio.charset.StandardCharsets.UTF_8), false);
        } catch (Purge.Invalid e) {
            answer(rc, 400, e.getMessage());
            return;
        }
        Purge asGiven = p;
        Purge keyed = p.keyedAs(routes);
        int targets = keyed.urls().size() + keyed.tags().size() + keyed.prefixes().size();
        if (targets > Purge.MAX_TARGETS) {
            // the channel refuses more, so the other replicas would not hear it
            answer(rc, 400, "with the urls as routes key them, " + targets + " targets: at most " + Purge.MAX_TARGETS + " in one purge");
            return;
        }
        bus.purge(keyed).subscribe().with(
                ok -> rc.response().setStatusCode(200)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                        .end(new JsonObject()
                                .put("urls", asGiven.urls().size())
                                .put("tags", asGiven.tags().size())
                                .put("prefixes", asGiven.prefixes().size())
                                .put("all", asGiven.all())
                                .put("soft", asGiven.soft())
                                .encode() + "\n"),
                failed -> {
                    LOG.warnf("purge applied on this replica only: %s", failed.toString());
                    answer(rc, 503, "purge applied on this replica only: the others could not be told (Redis: "
                            + failed.getClass().getSimpleName() + ")");
                });
    }

    private static void answer(RoutingContext rc, int status, String reason) {
        AdminToken.answer(rc, status, reason);
    }
}
