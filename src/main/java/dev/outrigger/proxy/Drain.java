package dev.outrigger.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.LongAdder;

/**
 * The traffic port's way out at shutdown. Draining: readiness is down (the pod leaves its Services' endpoints)
 * while requests are still served, each answered with {@code Connection: close} so keep-alive clients move to
 * another pod. Refusing: new connections are closed as they arrive. Requests in flight are counted all along,
 * so the drain knows when the last one has ended.
 */
final class Drain {

    private final LongAdder inFlight = new LongAdder();
    private volatile boolean draining;
    private volatile boolean refusing;

    /**
     * A request arrived: counted until its response ends or its connection closes (Vert.x calls endHandler once
     * for either), or until it becomes a tunnel (an upgrade's response is never ended: the proxy ends the trace
     * when the tunnel is set up, and a drain cuts tunnels when it stops the server); then written to the access log.
     */
    void track(HttpServerRequest req, RequestTrace trace, AccessLog log) {
        track(req, trace, log, true);
    }

    /**
     * An aggregate's part on the loopback listener: in flight like any request (the drain waits for it), but its
     * connection is this pod's own pool's, kept open while draining.
     */
    void trackPart(HttpServerRequest req, RequestTrace trace, AccessLog log) {
        track(req, trace, log, false);
    }

    private void track(HttpServerRequest req, RequestTrace trace, AccessLog log, boolean closeWhenDraining) {
        inFlight.increment();
        trace.onEnd(log.enabled() ? () -> {
            inFlight.decrement();
            log.log(req, trace);
        } : inFlight::decrement);
        req.response().endHandler(v -> trace.end());
        if (draining && closeWhenDraining) {
            req.response().headersEndHandler(v -> {
                if (req.response().getStatusCode() != 101) { // an upgrade's answer keeps its Connection: Upgrade
                    req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                }
            });
        }
    }

    void begin() {
        draining = true;
    }

    void refuse() {
        refusing = true;
    }

    boolean draining() {
        return draining;
    }

    boolean refusing() {
        return refusing;
    }

    long inFlight() {
        return inFlight.sum();
    }
}
