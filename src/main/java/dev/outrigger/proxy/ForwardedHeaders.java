package dev.outrigger.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/** Via (RFC 9110 §7.6.3) and the de-facto X-Forwarded-* headers this hop adds. */
final class ForwardedHeaders {

    static final String VIA = "Via";
    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";

    private final boolean trustIncoming;
    private final String via10;
    private final String via11;

    ForwardedHeaders(boolean trustIncoming, String viaName) {
        this.trustIncoming = trustIncoming;
        this.via10 = "1.0 " + viaName;
        this.via11 = "1.1 " + viaName;
    }

    /** Adds this hop to a request on its way upstream; {@code out} already holds the client's end-to-end headers. */
    void addToRequest(HttpServerRequest req, MultiMap out) {
        MultiMap in = req.headers();
        appendVia(req.version(), out);
        String peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        String xff = in.get(X_FORWARDED_FOR);
        if (peer != null) {
            out.set(X_FORWARDED_FOR, trustIncoming && xff != null ? xff + ", " + peer : peer);
        } else if (!trustIncoming) {
            out.remove(X_FORWARDED_FOR);
        }
        String proto = in.get(X_FORWARDED_PROTO);
        out.set(X_FORWARDED_PROTO, trustIncoming && proto != null ? proto : req.scheme());
        String fwdHost = in.get(X_FORWARDED_HOST);
        String host = in.get(HttpHeaders.HOST);
        if (trustIncoming && fwdHost != null) {
            out.set(X_FORWARDED_HOST, fwdHost);
        } else if (host != null) {
            out.set(X_FORWARDED_HOST, host);
        } else {
            out.remove(X_FORWARDED_HOST);
        }
    }

    /** Adds this hop to a response on its way to the client. */
    void addToResponse(HttpVersion upstreamVersion, MultiMap out) {
        appendVia(upstreamVersion, out);
    }

    /** {@code out} already holds the Via values copied from the received message; this hop goes last. */
    private void appendVia(HttpVersion received, MultiMap out) {
        String hop = received == HttpVersion.HTTP_1_0 ? via10 : via11;
        var existing = out.getAll(VIA);
        out.set(VIA, existing.isEmpty() ? hop : String.join(", ", existing) + ", " + hop);
    }
}
