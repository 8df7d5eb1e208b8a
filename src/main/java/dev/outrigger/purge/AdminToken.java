package dev.outrigger.purge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The bearer token of the admin API ({@code OUTRIGGER_ADMIN_TOKEN}). Only a digest is kept: compared in
 * constant time, no length to leak, never logged.
 */
public final class AdminToken {

    private final Optional<byte[]> digest;

    public AdminToken(Optional<String> token) {
        this.digest = token.filter(t -> !t.isBlank()).map(AdminToken::sha256);
    }

    /**
     * Whether the call may go on; if not, it has been answered: 403 when no token is configured, 401 without
     * the right one.
     */
    public boolean admits(RoutingContext rc) {
        if (digest.isEmpty()) {
            answer(rc, 403, "the admin API is off: set OUTRIGGER_ADMIN_TOKEN to turn it on");
            return false;
        }
        String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(sha256(auth.substring(7).trim()), digest.get())) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            answer(rc, 401, auth == null ? "missing Authorization: Bearer <token>" : "wrong token");
            return false;
        }
        return true;
    }

    /** A one-line plain-text answer, never cached. */
    public static void answer(RoutingContext rc, int status, String reason) {
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(reason + "\n");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
