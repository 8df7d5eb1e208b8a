package dev.outrigger.proxy;

import dev.outrigger.policy.Headers;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * What the cache asks of the upstream side ({@link Forwarder}): forward a request whose answer an
 * {@link Exchange} handles, or fetch in the background for no client. The cache depends on this interface and
 * the forwarder on nothing of the cache's but a {@link Forwarder.HeadFinish} callback, so the two do not call
 * each other (DESIGN rule 13).
 */
interface Upstream {

    /** Forwards a (paused) request; {@code exchange} decides what becomes of the answer. */
    void forward(HttpServerRequest req, Inbound inbound, Exchange exchange);

    /**
     * A GET of the request's target made for no client (a background refresh), with {@code extra} headers
     * and without the {@code withheld} ones; the answer's body is the caller's to read.
     */
    Future<HttpClientResponse> fetchInBackground(HttpServerRequest req, Inbound inbound, Headers extra, Set<String> withheld);
}
