package dev.outrigger.proxy;

import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheOutcome;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** The proxy's own answers: a short plain-text error, never stored, marked as not from the cache. */
final class ErrorResponse {

    private ErrorResponse() {}

    /**
     * Refuses a request the proxy will not forward, counted as an error of no route. The connection is closed
     * afterwards: whatever the client sends next on it (an unread body, tunnel bytes, the rest of a broken
     * message) cannot be trusted to start a new request.
     */
    static void refuse(HttpServerRequest req, RequestTrace trace, Meters meters, int status, String reason) {
        trace.outcome(meters, Meters.DEFAULT_ROUTE, CacheOutcome.ERROR);
        send(req, status, reason, true);
    }

    /**
     * A short plain-text error. When a request body was not read to its end the connection is closed
     * afterwards, since its remaining bytes cannot be told apart from a next request.
     */
    static void send(HttpServerRequest req, int status, String reason, boolean forceClose) {
        HttpServerResponse resp = req.response();
        boolean close = forceClose || !req.isEnded() && RequestHygiene.hasBody(req.headers());
        resp.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader(CacheHeaders.X_CACHE, "BYPASS")
                .putHeader(CacheHeaders.CACHE_STATUS, CacheHeaders.NAME + "; fwd=bypass; detail=\"" + status + "\"");
        if (close) {
            resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        resp.end(reason + "\n").onComplete(v -> {
            if (close) {
                req.connection().close();
            }
        });
    }
}
