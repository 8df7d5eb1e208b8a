package dev.outrigger.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * Client body → upstream, pausing the client whenever the upstream connection's queue is full; enforces
 * the size limit. Runs on the request's event loop.
 */
final class BodyPump {
    private final HttpServerRequest req;
    private final HttpClientRequest creq;
    private final long maxBodySize;
    private final Runnable tooLarge;
    private long received;

    /** {@code tooLarge} answers the client (413) when the body outgrows {@code maxBodySize} before its response began. */
    BodyPump(HttpServerRequest req, HttpClientRequest creq, long maxBodySize, Runnable tooLarge) {
        this.req = req;
        this.creq = creq;
        this.maxBodySize = maxBodySize;
        this.tooLarge = tooLarge;
    }

    void start() {
        req.handler(this::onChunk);
        req.endHandler(v -> creq.end());
        req.exceptionHandler(t -> creq.reset());
        creq.drainHandler(v -> req.resume());
        req.resume();
    }

    private void onChunk(Buffer chunk) {
        received += chunk.length();
        if (received > maxBodySize) {
            req.handler(null);
            req.endHandler(null);
            // Answer before cancelling upstream: the cancel fails the pending response, which then
            // finds this one already sent.
            if (!req.response().headWritten()) {
                tooLarge.run();
            } else {
                req.response().reset();
            }
            creq.reset();
            return;
        }
        creq.write(chunk);
        if (creq.writeQueueFull()) {
            req.pause();
        }
    }
}
