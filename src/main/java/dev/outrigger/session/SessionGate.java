package dev.outrigger.session;

import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the proxy asks before it forwards a request: which session headers to strip (always), and, on a route that
 * takes sessions, whether the request may go on and with which session. The caller waits for the answer off the
 * event loop's stack (a Uni) and applies it.
 */
public final class SessionGate {

    /** The gate's answer. */
    public sealed interface Verdict {
        /**
         * Go on; with the session's headers attached when there is one. {@code revokeAfter}: a logout path, whose
         * session (this SHA-256) is revoked once the application has answered.
         */
        record Proceed(Optional<Resolution.Active> session, Optional<String> revokeAfter) implements Verdict {
            Proceed(Optional<Resolution.Active> session) {
                this(session, Optional.empty());
            }
        }

        /** Answer the client with {@code status} and a short reason; {@code challenge}: its WWW-Authenticate. */
        record Refuse(int status, String reason, Optional<String> challenge) implements Verdict {}
    }

    private static final Verdict.Proceed WITHOUT = new Verdict.Proceed(Optional.empty());

    private final SessionSettings settings;
    private final ForgedHeaders forged;
    private final TokenSource tokens;
    private final Sessions sessions;

    public SessionGate(SessionSettings settings, Sessions sessions) {
        this.settings = settings;
        this.forged = new ForgedHeaders(settings);
        this.tokens = new TokenSource(settings);
        this.sessions = sessions;
    }

    /** Sessions off: only the stripping of client-sent session headers. */
    public static SessionGate off() {
        return new SessionGate(SessionSettings.OFF, null);
    }

    /** Removes every client-sent spelling of the session headers (on every request, sessions on or off). */
    public void strip(MultiMap headers) {
        forged.strip(headers);
    }

    /** What a request on a route with {@code routeAuth} (empty: the default) needs; NONE when sessions are off. */
    public SessionSettings.Auth auth(Optional<String> routeAuth) {
        if (!settings.enabled()) {
            return SessionSettings.Auth.NONE;
        }
        return routeAuth.map(a -> SessionSettings.Auth.valueOf(a.toUpperCase(Locale.ROOT))).orElse(settings.auth());
    }

    /** Sessions are on (revocation has something to act on). */
    public boolean enabled() {
        return settings.enabled();
    }

    /** Revokes, on every replica, the session of the token whose SHA-256 (hex) is given; fails when others could not be told. */
    public Uni<Void> revoke(String sha256) {
        return sessions.revoke(sha256);
    }

    /** The verdict for a request to {@code path} needing {@code auth} (not NONE). Never fails. */
    public Uni<Verdict> check(MultiMap headers, String path, SessionSettings.Auth auth) {
        Optional<String> token = tokens.token(headers);
        if (token.isPresent() && settings.logoutPaths().contains(path)) {
            // the application gets the session it is ending; a live one is revoked everywhere once it has answered
            String sha = Sessions.sha256(token.get());
            return check(token, auth).map(v -> v instanceof Verdict.Proceed p && p.session().isPresent()
                    ? new Verdict.Proceed(p.session(), Optional.of(sha)) : v);
        }
        return check(token, auth);
    }

    private Uni<Verdict> check(Optional<String> token, SessionSettings.Auth auth) {
        boolean required = auth == SessionSettings.Auth.REQUIRED;
        if (token.isEmpty()) {
            return Uni.createFrom().item(required
                    ? new Verdict.Refuse(401, "a bearer token is required", Optional.of("Bearer"))
                    : WITHOUT);
        }
        return sessions.resolve(token.get()).map(r -> switch (r) {
            case Resolution.Active a -> new Verdict.Proceed(Optional.of(a));
            case Resolution.Rejected x -> required
                    ? new Verdict.Refuse(401, "the token is not valid", Optional.of("Bearer error=\"invalid_token\""))
                    : WITHOUT;
            case Resolution.Unavailable u -> required
                    ? new Verdict.Refuse(503, "the session could not be resolved now; try again", Optional.empty())
                    : WITHOUT;
        });
    }

    /**
     * Hands the session to the application: the session header (compact JSON, non-ASCII escaped so it survives as a
     * header) and the mapped fields (strings as they are when printable ASCII; numbers and booleans as text;
     * objects and arrays as compact JSON; a field that is missing or unprintable sends no header).
     */
    public void attach(MultiMap headers, Resolution.Active session) {
        headers.set(settings.header(), asciiJson(session.compact()));
        for (Map.Entry<String, String> e : settings.forwardHeaders().entrySet()) {
            Object value = session.session().getValue(e.getValue());
            String text = value instanceof JsonObject o ? asciiJson(o.encode())
                    : value instanceof JsonArray a ? asciiJson(a.encode())
                    : value == null ? null : value.toString();
            if (text != null && printable(text)) {
                headers.set(e.getKey(), text);
            }
        }
    }

    /** JSON with every character beyond ASCII written as a \\u escape (valid JSON: they only occur in strings). */
    static String asciiJson(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c > 0x7e) {
                if (sb == null) {
                    sb = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? json : sb.toString();
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
