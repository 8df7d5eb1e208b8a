package dev.outrigger.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * An upstream failure as the client sees it: a status and a one-line reason (RFC 9110 §15.6.3, §15.6.5),
 * plus a one-word {@code kind} for meters; {@code ours}: the limit was this proxy's (its connection pool
 * full), not a sign that the application is failing.
 */
public record UpstreamFailure(int status, String reason, String kind, boolean ours) {

    public static UpstreamFailure of(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return new UpstreamFailure(504, "upstream connect timed out", "connect-timeout", false);
        }
        if (t instanceof TimeoutException) {
            return new UpstreamFailure(504, "upstream timed out", "timeout", false);
        }
        if (t instanceof ConnectException) {
            return new UpstreamFailure(502, "upstream refused the connection", "refused", false);
        }
        if (t instanceof UnknownHostException) {
            return new UpstreamFailure(502, "upstream host not found", "unknown-host", false);
        }
        if (t instanceof HttpClosedException || t instanceof StreamResetException) {
            return new UpstreamFailure(502, "upstream closed the connection", "closed", false);
        }
        if (t instanceof ConnectionPoolTooBusyException) {
            return new UpstreamFailure(503, "upstream connection pool exhausted", "pool-full", true);
        }
        return new UpstreamFailure(502, "upstream error", "error", false);
    }
}
