package dev.outrigger.testsupport;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 origin on a random loopback port for tests: scripted responses per path, a count of
 * every request per path, the last request per path as received. Unscripted paths echo: 200 with the
 * request body, and WebSocket upgrades on unscripted paths echo every message. Runs on its own Vert.x instance so it shares nothing with the proxy under test.
 */
public final class OriginServer implements AutoCloseable {

    /** What the origin received. */
    public record Received(String method, String uri, MultiMap headers, Buffer body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Received> last = new ConcurrentHashMap<>();
    private final AtomicInteger aborted = new AtomicInteger();
    private volatile HttpServer server;
    private volatile int port;

    private OriginServer() {}

    public static OriginServer start() {
        OriginServer origin = new OriginServer();
        origin.listen(0);
        return origin;
    }

    private void listen(int p) {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(p)
                        .setHandle100ContinueAutomatically(false).setMaxHeaderSize(65536))
                .requestHandler(this::dispatch);
        port = join(server.listen()).actualPort();
    }

    /** Stops listening (the port then refuses connections) until {@link #resume()}. */
    public void suspend() {
        join(server.close());
    }

    /** Listens again on the same port. */
    public void resume() {
        listen(port);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Scripts a path with a raw handler (the body is not read for it). */
    public OriginServer on(String path, Handler<HttpServerRequest> handler) {
        routes.put(path, handler);
        return this;
    }

    /** Scripts a path to answer with {@code response} once the request body has been read and recorded. */
    public OriginServer respond(String path, Response response) {
        return on(path, req -> req.body().onSuccess(body -> {
            record(req, body);
            response.send(req);
        }));
    }

    /** Requests that reached this path (the full request URI's path, query excluded). */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Exchanges the origin saw end without a complete response (the peer closed or reset). */
    public int aborted() {
        return aborted.get();
    }

    /** The last request recorded for the path, or null. Raw handlers record with {@link #record}. */
    public Received last(String path) {
        return last.get(path);
    }

    public void record(HttpServerRequest req, Buffer body) {
        last.put(req.path(), new Received(req.method().name(), req.uri(),
                MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body));
    }

    public void reset() {
        routes.clear();
        hits.clear();
        last.clear();
        aborted.set(0);
    }

    private void dispatch(HttpServerRequest req) {
        hits.computeIfAbsent(req.path(), k -> new AtomicInteger()).incrementAndGet();
        req.response().closeHandler(v -> {
            if (!req.response().ended()) {
                aborted.incrementAndGet();
            }
        });
        Handler<HttpServerRequest> route = routes.get(req.path());
        if (route != null) {
            route.handle(req);
            return;
        }
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            // Upgraded from the request handler: Quarkus sets vertx.disableWebsockets in this JVM, which
            // turns off Vert.x's own WebSocket dispatch but not toWebSocket().
            req.toWebSocket().onSuccess(ws -> {
                ws.textMessageHandler(ws::writeTextMessage); // echo, message for message
                ws.binaryMessageHandler(ws::writeBinaryMessage);
            });
            return;
        }
        req.body().onSuccess(body -> {
            record(req, body);
            req.response().putHeader("X-Origin-Method", req.method().name()).end(body);
        });
    }

    @Override
    public void close() {
        join(vertx.close());
    }

    private static <T> T join(io.vertx.core.Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A scripted response: status, headers, body (fixed-length or chunked), trailers, a delay, or a drop. */
    public static final class Response {
        private int status = 200;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final Map<String, String> trailers = new LinkedHashMap<>();
        private Buffer body = Buffer.buffer();
        private boolean chunked;
        private Duration delay = Duration.ZERO;
        private boolean dropBeforeHead;
        private boolean dropMidBody;

        public static Response status(int status) {
            Response r = new Response();
            r.status = status;
            return r;
        }

        public static Response ok(String body) {
            return status(200).body(body);
        }

        /** Closes the connection without answering. */
        public static Response drop() {
            Response r = new Response();
            r.dropBeforeHead = true;
            return r;
        }

        public Response header(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        public Response body(String text) {
            this.body = Buffer.buffer(text);
            return this;
        }

        /** Sends the body with chunked framing (no Content-Length). */
        public Response chunked() {
            this.chunked = true;
            return this;
        }

        public Response trailer(String name, String value) {
            this.chunked = true;
            trailers.put(name, value);
            return this;
        }

        public Response delay(Duration d) {
            this.delay = d;
            return this;
        }

        /** Sends the head and half the declared body, then closes the connection. */
        public Response dropMidBody() {
            this.dropMidBody = true;
            return this;
        }

        void send(HttpServerRequest req) {
            if (delay.isZero()) {
                sendNow(req);
            } else {
                // A timer on the origin's own event loop: the origin is slow, nothing sleeps.
                Vertx.currentContext().owner().setTimer(delay.toMillis(), id -> sendNow(req));
            }
        }

        private void sendNow(HttpServerRequest req) {
            HttpServerResponse resp = req.response();
            if (resp.closed()) {
                return;
            }
            if (dropBeforeHead) {
                req.connection().close();
                return;
            }
            resp.setStatusCode(status);
            headers.forEach((k, v) -> resp.headers().add(k, v));
            if (dropMidBody) {
                resp.putHeader("Content-Length", Integer.toString(body.length()));
                resp.write(body.slice(0, body.length() / 2)).onComplete(v -> req.connection().close());
                return;
            }
            if (chunked) {
                resp.setChunked(true);
                int half = body.length() / 2;
                if (half > 0) {
                    resp.write(body.slice(0, half));
                }
                resp.write(body.slice(half, body.length()));
                trailers.forEach((k, v) -> resp.trailers().add(k, v));
                resp.end();
            } else {
                resp.end(body);
            }
        }
    }
}
