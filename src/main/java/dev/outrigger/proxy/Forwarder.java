package dev.outrigger.proxy;

import dev.outrigger.aggregate.Aggregate;
import dev.outrigger.cache.BodyCapture;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.HttpDate;
import dev.outrigger.upstream.UpstreamFailure;
import dev.outrigger.upstream.UpstreamHealth;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.time.Clock;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Forwards one request to the upstream and its response back, streaming both bodies with back-pressure; relays
 * an upgrade as a tunnel; tells the application's health what each exchange found. One instance per traffic
 * event loop; every method runs on that loop and none of them blocks.
 */
final class Forwarder implements Upstream {

    private static final Logger LOG = Logger.getLogger(Forwarder.class);

    /** The last touch on a relayed head before the client sees it (the cache's: tag headers, debug detail). */
    interface HeadFinish {
        void finish(Inbound inbound, MultiMap head);
    }

    private final HttpClient client;
    private final HttpClient tunnelClient;
    private final ProxySettings settings;
    private final ForwardedHeaders forwarded;
    private final Meters meters;
    private final Clock clock;
    private final long responseTimeoutMs;
    private final HeadFinish headFinish;
    private final UpstreamHealth health;

    // Confined to this forwarder's event loop: the Date value is formatted once per second.
    private long dateSecond = Long.MIN_VALUE;
    private String dateValue;

    Forwarder(HttpClient client, HttpClient tunnelClient, ProxySettings settings, Meters meters, Clock clock,
              HeadFinish headFinish, UpstreamHealth health) {
        this.client = client;
        this.tunnelClient = tunnelClient;
        this.settings = settings;
        this.forwarded = new ForwardedHeaders(settings.trustForwarded(), settings.viaName());
        this.meters = meters;
        this.clock = clock;
        this.responseTimeoutMs = settings.responseTimeout().toMillis();
        this.headFinish = headFinish;
        this.health = health;
    }

    /** An upstream request on its way: the client request object and when it started. */
    private record Started(HttpClientRequest creq, long start) {}

    /**
     * Opens an upstream request for the normalised target carrying the client's end-to-end headers less
     * {@code withheld} (lowercase names), this hop's, and {@code extra}.
     */
    private Future<Started> upstream(HttpServerRequest req, Inbound inbound, HttpMethod method, boolean upgrade,
                                     Headers extra, Set<String> withheld) {
        MultiMap in = req.headers();
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyEndToEnd(in, out, upgrade);
        withheld.forEach(out::remove);
        if (!upgrade) {
            HeaderRules.copyTeTrailers(in, out);
        }
        if (inbound.remotePart()) {
            out.set(HttpHeaders.HOST, inbound.authority()); // the part's own service
        } else if (!settings.preserveHost()) {
            out.set(HttpHeaders.HOST, settings.upstreamAuthority());
        }
        forwarded.addToRequest(req, inbound, out);
        out.set(RequestTrace.REQUEST_ID, inbound.trace().id()); // the client's when sane, else this proxy's
        for (var field : extra.fields()) {
            out.set(field.getKey(), field.getValue());
        }
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setURI(inbound.target())
                .setHeaders(out)
                .setIdleTimeout(responseTimeoutMs);
        if (inbound.remotePart()) {
            Aggregate.Part part = inbound.hop().part();
            options.setHost(part.originHost().get()).setPort(part.originPort()).setSsl(false);
        }
        long start = System.nanoTime();
        return (upgrade ? tunnelClient : client).request(options).map(creq -> new Started(creq, start));
    }

    /** Forwards a (paused) upgrade request; a 101 splices client and upstream together (RFC 9110 §7.8). */
    void upgrade(HttpServerRequest req, Inbound inbound) {
        upstream(req, inbound, req.method(), true, Headers.EMPTY, Set.of()).onComplete(ar -> {
            if (ar.failed()) {
                failUpstream(req, inbound, ar.cause());
            } else if (req.response().ended() || req.response().closed()) {
                ar.result().creq.reset();
            } else {
                tunnel(req, inbound, ar.result().creq, ar.result().start);
            }
        });
    }

    /**
     * A GET for the same target as {@code req}, with its headers less {@code withheld} plus {@code extra},
     * whose response is the caller's alone (a background refresh: the client has already been answered).
     */
    @Override
    public Future<HttpClientResponse> fetchInBackground(HttpServerRequest req, Inbound inbound, Headers extra,
                                                 Set<String> withheld) {
        return upstream(req, inbound, HttpMethod.GET, false, extra, withheld).compose(started -> {
            started.creq.exceptionHandler(t -> { });
            return started.creq.send();
        }).onComplete(ar -> {
            if (ar.failed()) {
                failed(inbound, ar.cause(), false);
            } else {
                answered(inbound, ar.result().statusCode());
            }
        });
    }

    /** Forwards a (paused) request; {@code exchange} decides what becomes of the answer. */
    @Override
    public void forward(HttpServerRequest req, Inbound inbound, Exchange exchange) {
        exchange.onSend();
        upstream(req, inbound, req.method(), false, exchange.upstreamHeaders(), exchange.withheld()).onComplete(ar -> {
            if (ar.failed()) {
                failed(inbound, ar.cause(), false);
                if (!exchange.onFailure(ar.cause())) {
                    failUpstream(req, inbound, ar.cause());
                }
            } else if (req.response().ended() || req.response().closed()) {
                ar.result().creq.reset(); // the client left while we waited for a connection
                exchange.abandoned();
            } else {
                send(req, inbound, ar.result().creq, ar.result().start, HeaderRules.contentLength(req.headers()), exchange);
            }
        });
    }

    private void send(HttpServerRequest req, Inbound inbound, HttpClientRequest creq, long start, long length, Exchange exchange) {
        HttpServerResponse resp = req.response();
        // set when this side cancels the upstream request (the client left, its body was too large): the failure
        // that follows is not the application's
        boolean[] cancelledHere = {false};
        resp.closeHandler(v -> {
            cancelledHere[0] = true;
            creq.reset(); // a client that left cancels its upstream request
        });
        creq.earlyHintsHandler(hints -> {
            MultiMap relayed = MultiMap.caseInsensitiveMultiMap();
            HeaderRules.copyEndToEnd(hints, relayed, false);
            resp.writeEarlyHints(relayed);
        });
        creq.continueHandler(v -> resp.writeContinue());
        creq.exceptionHandler(t -> { }); // failures surface through response() and the body pipe
        creq.response().onComplete(ar -> {
            if (ar.failed()) {
                failed(inbound, ar.cause(), cancelledHere[0] || resp.closed());
                if (!exchange.onFailure(ar.cause())) {
                    failUpstream(req, inbound, ar.cause());
                }
                return;
            }
            long took = System.nanoTime() - start;
            meters.upstreamLatency(took);
            inbound.trace().upstream(took);
            HttpClientResponse cresp = ar.result();
            answered(inbound, cresp.statusCode());
            if (exchange.onHead(cresp)) {
                cresp.resume(); // answered from the cache: drain what the upstream still sends
                return;
            }
            Future<Void> ready = exchange.beforeRelay(cresp);
            if (ready == null) {
                relay(req, inbound, cresp, false, exchange);
            } else {
                cresp.pause();
                ready.onComplete(done -> {
                    relay(req, inbound, cresp, false, exchange);
                    cresp.resume();
                });
            }
        });
        if (!RequestHygiene.hasBody(req.headers())) {
            creq.end();
            req.resume();
            return;
        }
        creq.setChunked(length < 0);
        if (req.headers().contains(HttpHeaders.EXPECT)) {
            creq.sendHead(); // RFC 9110 §10.1.1: the client sends its body only after the upstream's 100
        }
        new BodyPump(req, creq, settings.maxBodySize(), () -> {
            cancelledHere[0] = true;
            ErrorResponse.refuse(req, inbound.trace(), meters, 413, "request body larger than " + settings.maxBodySize() + " bytes");
        }).start();
    }

    /** Streams the response head and body to the client; ends it only when the upstream body ended cleanly. */
    private void relay(HttpServerRequest req, Inbound inbound, HttpClientResponse cresp, boolean closeUpstream, Exchange exchange) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            cresp.request().reset();
            exchange.abandoned();
            return;
        }
        int status = cresp.statusCode();
        resp.setStatusCode(status);
        resp.setStatusMessage(cresp.statusMessage());
        MultiMap out = resp.headers();
        HeaderRules.copyEndToEnd(cresp.headers(), out, false);
        forwarded.addToResponse(cresp.version(), out);
        if (!out.contains(HttpHeaders.DATE)) {
            out.set(HttpHeaders.DATE, date()); // RFC 9110 §6.6.1: a recipient with a clock adds a missing Date
        }
        BodyCapture capture = exchange.onRelay(cresp, out);
        headFinish.finish(inbound, out); // after the exchange has read the tags
        boolean bodyless = req.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        boolean closeAfter = false;
        if (!bodyless && !out.contains(HttpHeaders.CONTENT_LENGTH)) {
            if (req.version() == HttpVersion.HTTP_1_0) {
                closeAfter = true; // RFC 9112 §6.3: an HTTP/1.0 client reads an unframed body until close
                out.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            } else {
                resp.setChunked(true);
            }
        }
        boolean close = closeAfter;
        // The pipe by hand: back-pressure as Pipe does it, plus a copy for the cache when asked.
        resp.drainHandler(v -> cresp.resume());
        cresp.handler(chunk -> {
            if (capture != null) {
                capture.chunk(chunk);
            }
            resp.write(chunk);
            if (resp.writeQueueFull()) {
                cresp.pause();
            }
        });
        cresp.exceptionHandler(t -> {
            // Mid-body failure: a clean end would present a truncated body as complete.
            cresp.request().reset();
            resp.reset();
            inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.ERROR);
            exchange.abandoned();
        });
        cresp.endHandler(v -> {
            if (resp.closed()) {
                exchange.abandoned();
                return;
            }
            if (resp.isChunked()) {
                resp.trailers().addAll(cresp.trailers());
            }
            inbound.trace().outcome(meters, inbound.route().name(), exchange.outcome()); // before the client can see the end
            resp.end().onComplete(done -> {
                if (close) {
                    req.connection().close();
                }
                if (done.failed()) {
                    exchange.abandoned();
                } else if (capture != null) {
                    capture.complete(); // stored only once the client has its response
                }
            });
            if (closeUpstream) {
                cresp.request().connection().close();
            }
        });
        resp.exceptionHandler(t -> cresp.request().reset());
    }

    /** RFC 9110 §7.8: relays the upstream's 101, then splices the two connections together. */
    private void tunnel(HttpServerRequest req, Inbound inbound, HttpClientRequest creq, long start) {
        req.resume();
        creq.exceptionHandler(t -> { }); // failures surface through connect()
        creq.connect().onComplete(ar -> {
            if (ar.failed()) {
                failUpstream(req, inbound, ar.cause());
                return;
            }
            long took = System.nanoTime() - start;
            meters.upstreamLatency(took);
            inbound.trace().upstream(took);
            HttpClientResponse cresp = ar.result();
            if (cresp.statusCode() != 101) {
                // The upstream declined the upgrade: an ordinary response, on a connection whose
                // state after a refused upgrade is not worth trusting with another request.
                relay(req, inbound, cresp, true, Exchange.PASS);
                return;
            }
            HttpServerResponse resp = req.response();
            resp.setStatusCode(101);
            HeaderRules.copyEndToEnd(cresp.headers(), resp.headers(), true);
            forwarded.addToResponse(cresp.version(), resp.headers());
            NetSocket upstream = cresp.netSocket();
            req.toNetSocket().onComplete(sock -> {
                if (sock.failed()) {
                    upstream.close();
                    inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.ERROR);
                    inbound.trace().end();
                    return;
                }
                NetSocket downstream = sock.result();
                downstream.pipeTo(upstream);
                upstream.pipeTo(downstream);
                inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.BYPASS);
                inbound.trace().end(); // a tunnel is not a request in flight: Vert.x never ends its response
            });
        });
    }

    /**
     * Tells the application's health what an exchange found: it answered with {@code status}. A part of another
     * service says nothing of the application's health.
     */
    private void answered(Inbound inbound, int status) {
        if (!inbound.remotePart()) {
            health.answered(status);
        }
    }

    /** Tells the application's health of a failed exchange, unless the cause was this side's (a client that left, a full pool). */
    private void failed(Inbound inbound, Throwable cause, boolean clientLeft) {
        if (!inbound.remotePart()) {
            health.failed(cause, clientLeft);
        }
    }

    private void failUpstream(HttpServerRequest req, Inbound inbound, Throwable cause) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return; // already answered (413) or the client left
        }
        inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.ERROR);
        if (resp.headWritten()) {
            resp.reset();
            return;
        }
        UpstreamFailure failure = UpstreamFailure.of(cause);
        // counted in outrigger_upstream_failures_total; the upstream's health logs one line when it starts failing
        LOG.debugf("%s %s → %d %s (%s)", req.method(), req.path(), failure.status(), failure.reason(), cause.toString());
        ErrorResponse.send(req, failure.status(), failure.reason(), false);
    }

    String date() {
        long now = clock.millis();
        long second = now / 1000;
        if (second != dateSecond) {
            dateValue = HttpDate.format(java.time.Instant.ofEpochSecond(second));
            dateSecond = second;
        }
        return dateValue;
    }

}
