package dev.outrigger.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * One line per request on the traffic port, as the response ends (category {@code outrigger.access}): method,
 * path (without the query, which may carry tokens), status, cache outcome, route, upstream and total time,
 * bytes sent, request id. Plain text or JSON; off by default.
 */
final class AccessLog {

    enum Format { OFF, TEXT, JSON }

    private static final Logger LOG = Logger.getLogger("outrigger.access");

    private final Format format;

    AccessLog(Format format) {
        this.format = format;
    }

    static AccessLog of(String format) {
        return new AccessLog(Format.valueOf(format.trim().toUpperCase(Locale.ROOT)));
    }

    boolean enabled() {
        return format != Format.OFF;
    }

    void log(HttpServerRequest req, RequestTrace trace) {
        if (format == Format.OFF) {
            return;
        }
        HttpServerResponse resp = req.response();
        String outcome = trace.outcome() == null ? "aborted" : trace.outcome().label();
        double totalMs = (System.nanoTime() - trace.arrived()) / 1e6;
        double upstreamMs = trace.upstreamNanos() < 0 ? -1 : trace.upstreamNanos() / 1e6;
        String path = req.path() == null ? "" : req.path();
        if (format == Format.JSON) {
            JsonObject line = new JsonObject()
                    .put("time", Instant.now().toString())
                    .put("id", trace.id())
                    .put("method", req.method().name())
                    .put("path", path)
                    .put("status", resp.getStatusCode())
                    .put("outcome", outcome)
                    .put("route", trace.route())
                    .put("upstream_ms", upstreamMs < 0 ? null : round(upstreamMs))
                    .put("total_ms", round(totalMs))
                    .put("bytes", resp.bytesWritten());
            LOG.info(line.encode());
        } else {
            LOG.info(String.format(Locale.ROOT, "%s %s %s %d %s %s %s %.3f %d", trace.id(), req.method().name(), path,
                    resp.getStatusCode(), outcome, trace.route(),
                    upstreamMs < 0 ? "-" : String.format(Locale.ROOT, "%.3f", upstreamMs), totalMs, resp.bytesWritten()));
        }
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
