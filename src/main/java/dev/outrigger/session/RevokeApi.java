package dev.outrigger.session;

import dev.outrigger.purge.AdminToken;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code POST /admin/sessions/revoke} on the management port, for holders of the admin token: {@code {"token": "..."}}
 * or {@code {"sha256": "<64 hex>"}} removes that session on every replica (Redis, and each pod's memory through the
 * purge broadcast). 200 when done, 400 with a reason, 401/403 without the token, 409 when sessions are off, 503
 * when the other replicas could not be told. The token is never logged or echoed.
 */
@Singleton
public class RevokeApi {

    private static final Logger LOG = Logger.getLogger(RevokeApi.class);
    static final String PATH = "/admin/sessions/revoke";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final SessionGate sessions;
    private final AdminToken token;

    RevokeApi(SessionGate sessions, @ConfigProperty(name = "outrigger.admin.token") Optional<String> token) {
        this.sessions = sessions;
        this.token = new AdminToken(token);
    }

    void routes(@Observes ManagementInterface management) {
        management.router().route(PATH).method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
                .handler(this::revoke);
        management.router().route(PATH).handler(rc -> {
            rc.response().putHeader(HttpHeaders.ALLOW, "POST");
            AdminToken.answer(rc, 405, "use POST");
        });
    }

    private void revoke(RoutingContext rc) {
        if (!token.admits(rc)) {
            return;
        }
        if (!sessions.enabled()) {
            AdminToken.answer(rc, 409, "sessions are off (OUTRIGGER_SESSION_ENABLED)");
            return;
        }
        JsonObject body;
        try {
            body = rc.body() == null || rc.body().buffer() == null ? null : rc.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        String sha;
        if (body != null && body.getValue("token") instanceof String t && !t.isEmpty() && body.size() == 1) {
            sha = Sessions.sha256(t);
        } else if (body != null && body.getValue("sha256") instanceof String h && SHA256.matcher(h).matches() && body.size() == 1) {
            sha = h.toLowerCase(java.util.Locale.ROOT);
        } else {
            AdminToken.answer(rc, 400, "give {\"token\": \"...\"} or {\"sha256\": \"<64 hex digits>\"}");
            return;
        }
        sessions.revoke(sha).subscribe().with(
                ok -> rc.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                        .end(new JsonObject().put("revoked", sha).encode() + "\n"),
                failed -> {
                    LOG.warnf("session revoked on this replica only: %s", failed.toString());
                    AdminToken.answer(rc, 503, "revoked on this replica only: the others could not be told");
                });
    }
}
