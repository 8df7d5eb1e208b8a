package dev.outrigger.session;

import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.Optional;

/**
 * RFC 7662 token introspection: {@code POST} a form with {@code token=} (this proxy's own credentials in
 * {@code Authorization} when configured), or a {@code GET} carrying the client's bearer token. The JSON answer
 * (or one member of it) is the session; {@code "active": false} rejects the token, as does a {@code 401}/{@code 403}
 * to a {@code GET} that carried it. Anything else (5xx, a timeout, a refused connection, a body that is not a JSON
 * object, a {@code 401} to this proxy's own credentials) is unavailability, never taken as a verdict on the token.
 */
final class IntrospectionResolver implements Resolver {

    private static final int MAX_BODY = 64 * 1024;
    private final WebClient client;
    private final SessionSettings.Introspection config;
    private final java.time.Clock clock;

    IntrospectionResolver(WebClient client, SessionSettings.Introspection config, java.time.Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public Uni<Resolution> resolve(String token) {
        HttpRequest<Buffer> request;
        io.vertx.core.Future<HttpResponse<Buffer>> sent;
        if (config.forwardAuthorization()) {
            request = client.getAbs(config.url().toString()).putHeader(HttpHeaders.AUTHORIZATION.toString(), "Bearer " + token);
            request.timeout(config.timeout().toMillis());
            sent = request.send();
        } else {
            request = client.postAbs(config.url().toString());
            config.authorization().ifPresent(a -> request.putHeader(HttpHeaders.AUTHORIZATION.toString(), a));
            request.putHeader(HttpHeaders.ACCEPT.toString(), "application/json");
            request.timeout(config.timeout().toMillis());
            sent = request.sendForm(MultiMap.caseInsensitiveMultiMap().add("token", token).add("token_type_hint", "access_token"));
        }
        return Uni.createFrom().completionStage(sent.toCompletionStage())
                .map(this::judge)
                // the token is never part of what is said about a failure
                .onFailure().recoverWithItem(t -> new Resolution.Unavailable("introspection failed: " + t.getClass().getSimpleName()));
    }

    private Resolution judge(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        if ((status == 401 || status == 403) && config.forwardAuthorization()) {
            return new Resolution.Rejected("introspection answered " + status);
        }
        if (status != 200) {
            return new Resolution.Unavailable("introspection answered " + status);
        }
        Buffer body = response.body();
        if (body == null || body.length() == 0 || body.length() > MAX_BODY) {
            return new Resolution.Unavailable("introspection answered no usable body");
        }
        JsonObject answer;
        try {
            answer = body.toJsonObject();
        } catch (RuntimeException e) {
            return new Resolution.Unavailable("introspection answered something other than a JSON object");
        }
        Object active = answer.getValue("active");
        if (Boolean.FALSE.equals(active)) {
            return new Resolution.Rejected("inactive");
        }
        // RFC 7662 §2.2: "active" is required; an answer without it (an error page, a misrouted {}) is no verdict
        if (active == null ? !config.forwardAuthorization() : !Boolean.TRUE.equals(active)) {
            return new Resolution.Unavailable("introspection answered no boolean \"active\"");
        }
        Optional<Instant> expires = Optional.empty();
        Object exp = answer.getValue("exp");
        if (exp instanceof Number n) {
            expires = Optional.of(Instant.ofEpochSecond(n.longValue()));
            if (!expires.get().isAfter(clock.instant())) {
                return new Resolution.Rejected("expired");
            }
        }
        JsonObject session = answer;
        if (config.member().isPresent()) {
            Object member = answer.getValue(config.member().get());
            if (!(member instanceof JsonObject m)) {
                return new Resolution.Unavailable("introspection answered no object \"" + config.member().get() + "\"");
            }
            session = m;
        }
        return new Resolution.Active(session, expires);
    }
}
