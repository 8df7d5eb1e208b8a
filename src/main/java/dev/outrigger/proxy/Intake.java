package dev.outrigger.proxy;

import dev.outrigger.cache.Loopback;
import dev.outrigger.metrics.Meters;
import dev.outrigger.session.SessionGate;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The front door: every request the traffic server (or the parts' loopback listener) accepts starts here. It is
 * checked (hygiene, framing, size), answered by an aggregate, admitted by the session gate, routed, and handed
 * to the cache (a GET or HEAD it handles) or to the {@link Forwarder} (everything else); a request that cannot
 * be forwarded is refused with a status and a short reason. One instance per traffic event loop.
 */
final class Intake {

    private final ProxySettings settings;
    private final RequestHygiene hygiene;
    private final Meters meters;
    private final ResponseCache cache;
    private final RouteStep routing;
    private final SessionCheck sessionCheck;
    private final AggregateStep aggregates;
    private final Forwarder forwarder;

    Intake(ProxySettings settings, Meters meters, ResponseCache cache, SessionGate sessions, Loopback channel,
           AggregateStep aggregates, Forwarder forwarder) {
        this.settings = settings;
        this.meters = meters;
        this.cache = cache;
        this.routing = cache.routing();
        this.sessionCheck = new SessionCheck(sessions, routing, meters);
        this.aggregates = aggregates;
        this.forwarder = forwarder;
        this.hygiene = new RequestHygiene(settings.trustForwarded(), settings.allowTrace(), settings.allowMethodOverride(),
                cache.keyHost(), channel, cache.aggregates());
    }

    void handle(HttpServerRequest req, RequestTrace trace) {
        handle(req, trace, false);
    }

    /** A request on the parts' loopback listener: an aggregate's part, or refused. */
    void handleHop(HttpServerRequest req, RequestTrace trace) {
        handle(req, trace, true);
    }

    private void handle(HttpServerRequest req, RequestTrace trace, boolean viaHop) {
        MultiMap in = req.headers();
        Inbound checked;
        switch (hygiene.check(req, trace, viaHop)) {
            case RequestHygiene.Rejected r -> {
                reject(req, trace, r.status(), r.reason());
                return;
            }
            case RequestHygiene.Accepted a -> checked = a.inbound();
        }
        String transferEncoding = in.get(HttpHeaders.TRANSFER_ENCODING);
        if (transferEncoding != null && !lastCodingIsChunked(transferEncoding)) {
            // RFC 9112 §6.3: a request whose final transfer coding is not chunked cannot be framed.
            reject(req, trace, 400, "unsupported Transfer-Encoding");
            return;
        }
        long length = HeaderRules.contentLength(in);
        if (length > settings.maxBodySize()) {
            reject(req, trace, 413, "request body larger than " + settings.maxBodySize() + " bytes");
            return;
        }
        if (checked.hop() == null && aggregates.take(req, trace, checked, forwarder::date)) {
            return; // an aggregate: its parts come back through here, each a request of its own
        }
        req.pause();
        sessionCheck.admit(req, trace, checked, this::proceed);
    }

    /**
     * The request past hygiene and the session gate. {@code withSession}: the application gets a user's session
     * with it, so the answer is that user's: not looked up in, nor stored to, the shared cache, unless the route
     * keys its users by a session field (then it is cached under that user's key alone).
     */
    private void proceed(HttpServerRequest req, RequestTrace trace, Inbound checked, boolean withSession) {
        MultiMap in = req.headers();
        boolean safe = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
        // a route keyed per user by a session field caches the user's answers under the user's key alone; a session
        // without that field is never cached (it would be keyed as nobody's)
        withSession = withSession && !(safe && routing.userSessionField(req, checked).flatMap(trace::sessionField).isPresent());
        boolean upgrade = HeaderRules.isUpgrade(in);
        // A body or a method override on a GET is meaning the cache key does not hold; If-Match and
        // If-Unmodified-Since are preconditions the origin evaluates (RFC 9110 §13.2.2: 412 before 200)
        boolean uncached = upgrade || withSession || safe && (checked.hasBody() || checked.methodOverride() || in.contains("If-Match")
                || in.contains("If-Unmodified-Since"));
        if (safe && !uncached) {
            cache.handle(req, checked, forwarder); // routes it: only a request the cache handles is rewritten as keyed
            return;
        }
        Inbound inbound = routing.route(req, checked, false);
        if (upgrade) {
            forwarder.upgrade(req, inbound);
        } else if (!safe) {
            forwarder.forward(req, inbound, cache.unsafe(req, inbound));
        } else {
            forwarder.forward(req, inbound, Exchange.bypass(withSession ? "session" : "request"));
        }
    }

    /** Answers a request the decoder could not parse (registered as the server's invalid-request handler). */
    void onInvalid(HttpServerRequest req, RequestTrace trace) {
        Throwable cause = req.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            reject(req, trace, 414, "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            reject(req, trace, 431, "request header fields too large");
        } else if (cause instanceof GuardedRequestDecoder.HeadTimeout) {
            reject(req, trace, 408, "request head not received within " + shortForm(settings.requestHeadTimeout()));
        } else if (cause instanceof GuardedRequestDecoder.FoldedHeader) {
            reject(req, trace, 400, cause.getMessage());
        } else {
            reject(req, trace, 400, "malformed request" + describe(cause));
        }
    }

    private void reject(HttpServerRequest req, RequestTrace trace, int status, String reason) {
        ErrorResponse.refuse(req, trace, meters, status, reason);
    }

    private static boolean lastCodingIsChunked(String transferEncoding) {
        int comma = transferEncoding.lastIndexOf(',');
        return transferEncoding.substring(comma + 1).trim().equalsIgnoreCase("chunked");
    }

    /** A duration as configured: {@code 10s}, or {@code 1500ms} when not whole seconds. */
    private static String shortForm(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String describe(Throwable cause) {
        if (cause == null || cause.getMessage() == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(": ");
        String m = cause.getMessage();
        for (int i = 0; i < m.length() && sb.length() < 120; i++) {
            char c = m.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
