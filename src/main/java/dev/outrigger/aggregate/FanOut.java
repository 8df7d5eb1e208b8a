package dev.outrigger.aggregate;

import dev.outrigger.cache.Loopback;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers one aggregate request: every part sent at once over the {@link Loopback} (each a GET that takes the
 * cache path of its own), each waited for at most its timeout, then the answers merged into one JSON document. One
 * instance per traffic event loop; everything runs on that loop and nothing waits.
 */
public final class FanOut {

    /** What the fan-out did, for meters; implementations must not block. */
    public interface Listener {
        /** An aggregate was answered: {@code result} is {@code complete}, {@code partial} or {@code failed}. */
        default void answered(String aggregate, String result, long nanos) { }

        /** A part ended; {@code failure} is a {@link PartResult.Failure} tag, null when it succeeded. */
        default void part(String aggregate, String part, String failure, long nanos) { }

        Listener NONE = new Listener() { };
    }

    /**
     * An aggregate request, as the proxy took it.
     *
     * @param pathVariables the aggregate path's variables, as the (normalised) path has them
     * @param query the request's query, without '?' (empty for none)
     * @param authority the host the request is for (keyed parts of the pod's application go under it)
     * @param carried the request headers every part gets (the configured ones, and trusted forwarding headers)
     * @param client the client's address, which the parts' application sees
     */
    public record Request(Aggregate aggregate, Map<String, String> pathVariables, String query, String authority, MultiMap carried,
                          String client) {}

    /** The response to send: status, headers, body. */
    public record Answer(int status, MultiMap headers, Buffer body) {}

    /** A request the aggregate cannot take (a missing or unusable variable): 400 with this reason. */
    public static final class BadRequest extends Exception {
        BadRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    /** An aggregate being answered: cancelled when its client leaves. */
    public interface Flight {
        Future<Answer> answer();

        /**
         * The client left: nothing more is answered or counted; parts still on their way finish in the background, so
         * what they fetch is stored.
         */
        void cancel();
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final Loopback channel;
    private final Listener listener;
    private final java.time.Duration hopTimeout;

    /** {@code hopTimeout}: the longest a hop may go without a byte (the upstream response timeout). */
    public FanOut(Vertx vertx, HttpClient client, Loopback channel, Listener listener, java.time.Duration hopTimeout) {
        this.hopTimeout = hopTimeout;
        this.vertx = vertx;
        this.client = client;
        this.channel = channel;
        this.listener = listener;
    }

    /** Starts the parts of {@code r}. */
    public Flight start(Request r) throws BadRequest {
        Aggregate a = r.aggregate();
        Map<String, String> values = values(r);
        List<String> targets = new ArrayList<>();
        for (Aggregate.Part p : a.parts()) {
            try {
                targets.add(p.url().expand(values));
            } catch (IllegalArgumentException e) {
                throw new BadRequest(e.getMessage());
            }
        }
        long started = System.nanoTime();
        List<Call> calls = new ArrayList<>();
        for (Aggregate.Part p : a.parts()) {
            Call call = new Call(a, p, targets.get(p.index()), r, started);
            calls.add(call);
        }
        calls.forEach(Call::send);
        boolean[] abandoned = {false};
        Future<Answer> answer = Future.join(calls.stream().map(c -> c.done.future()).toList()).map(all -> {
            List<PartResult> results = calls.stream().map(c -> c.done.future().result()).toList();
            Answer merged = Merge.answer(a, results);
            long took = System.nanoTime() - started;
            boolean partial = results.stream().anyMatch(p -> !p.ok());
            if (!abandoned[0]) {
                listener.answered(a.name(), merged.status() >= 400 ? "failed" : partial ? "partial" : "complete", took);
            }
            return merged;
        });
        return new Flight() {
            @Override
            public Future<Answer> answer() {
                return answer;
            }

            @Override
            public void cancel() {
                abandoned[0] = true;
                calls.forEach(Call::abandon);
            }
        };
    }

    /**
     * The values part URLs take: the query's parameters (first value of each, decoded as forms send them), then the
     * path's variables (decoded), which win over a parameter of the same name.
     */
    private static Map<String, String> values(Request r) throws BadRequest {
        Map<String, String> values = new HashMap<>();
        try {
            if (!r.query().isEmpty()) {
                for (String pair : r.query().split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String name = PartTemplate.decode(eq < 0 ? pair : pair.substring(0, eq), true);
                    values.putIfAbsent(name, eq < 0 ? "" : PartTemplate.decode(pair.substring(eq + 1), true));
                }
            }
            for (var v : r.pathVariables().entrySet()) {
                values.put(v.getKey(), PartTemplate.decode(v.getValue(), false));
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        return values;
    }

    /** One part on its way: sent over the hop, bounded by its timeout, its body read up to the aggregate's limit. */
    private final class Call {
        final Promise<PartResult> done = Promise.promise();
        private final Aggregate aggregate;
        private final Aggregate.Part part;
        private final String target;
        private final Request request;
        private final long started;
        private long timer = -1;
        private HttpClientRequest sent;
        private boolean ended;
        private boolean finished;

        Call(Aggregate aggregate, Aggregate.Part part, String target, Request request, long started) {
            this.aggregate = aggregate;
            this.part = part;
            this.target = target;
            this.request = request;
            this.started = started;
        }

        void send() {
            if (channel.port() < 0) {
                finish(PartResult.failed(part, 502, null, -1, 0, PartResult.Failure.UNREACHABLE, "the loopback listener is not listening"));
                return;
            }
            timer = vertx.setTimer(part.timeout().toMillis(), t -> {
                timer = -1;
                finish(PartResult.failed(part, 504, null, -1, millis(), PartResult.Failure.TIMEOUT,
                        "timed out after " + part.timeout().toMillis() + "ms"));
            });
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.carried());
            headers.set(HttpHeaders.HOST, part.originAuthority().orElse(request.authority()));
            if (!headers.contains(HttpHeaders.ACCEPT)) {
                headers.set(HttpHeaders.ACCEPT, "application/json");
            }
            // a body to parse, not one to decompress first
            headers.set(HttpHeaders.ACCEPT_ENCODING, "identity");
            headers.set(Loopback.HEADER, channel.partMarker(aggregate.index(), part.index(), request.client()));
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(Loopback.HOST).setPort(channel.port())
                    .setURI(target).setHeaders(headers)
                    // a hop left to finish after its part timed out ends at the latest as an upstream exchange does
                    .setIdleTimeout(hopTimeout.toMillis());
            client.request(options).onComplete(ar -> {
                if (ar.failed()) {
                    finish(PartResult.failed(part, 502, null, -1, millis(), PartResult.Failure.UNREACHABLE,
                            "the part could not be sent: " + PartBody.brief(String.valueOf(ar.cause().getMessage()))));
                    return;
                }
                HttpClientRequest req = ar.result();
                if (finished) {
                    req.reset(); // timed out or abandoned before it was sent: nothing to finish
                    return;
                }
                sent = req;
                req.exceptionHandler(t -> { }); // failures surface through the response
                req.send().onComplete(resp -> {
                    if (resp.failed()) {
                        finish(PartResult.failed(part, 502, null, -1, millis(), PartResult.Failure.UNREACHABLE,
                                "no answer: " + PartBody.brief(String.valueOf(resp.cause().getMessage()))));
                    } else {
                        read(resp.result());
                    }
                });
            });
        }

        private void read(HttpClientResponse resp) {
            Buffer body = Buffer.buffer();
            resp.handler(chunk -> {
                if (finished) {
                    return; // timed out or abandoned: read to the end (the fetch behind it is stored), not kept
                }
                if (body.length() + chunk.length() > aggregate.maxPartSize()) {
                    finish(PartResult.failed(part, resp.statusCode(), Merge.cacheOf(resp.headers()), Merge.age(resp.headers()), millis(),
                            PartResult.Failure.TOO_LARGE, "body larger than " + aggregate.maxPartSize() + " bytes"));
                    return;
                }
                body.appendBuffer(chunk);
            });
            resp.exceptionHandler(t -> {
                ended = true;
                finish(PartResult.failed(part, 502, null, -1, millis(), PartResult.Failure.UNREACHABLE,
                        "the answer broke off: " + PartBody.brief(String.valueOf(t.getMessage()))));
            });
            resp.endHandler(v -> {
                ended = true;
                finish(Merge.judge(part, resp, body, millis()));
            });
        }

        private long millis() {
            return (System.nanoTime() - started) / 1_000_000;
        }

        /** The client left: no result is counted; the hop, if out, finishes in the background. */
        void abandon() {
            if (!finished) {
                finished = true;
                cancelTimer();
                done.complete(PartResult.failed(part, 499, null, -1, millis(), PartResult.Failure.UNREACHABLE, "the client left"));
            }
        }

        /**
         * Only the first outcome counts. A part too large is reset (its fetch is not one the aggregate can use); one that
         * timed out is left to finish, so the fetch behind it (for everyone, maybe) is stored and the next request finds
         * it. Counted before the result is handed on: the last part's completion answers the client at once.
         */
        private void finish(PartResult result) {
            if (finished) {
                return;
            }
            finished = true; // before the reset, whose failure callbacks come back here at once
            cancelTimer();
            if (sent != null && !ended && result.failure() == PartResult.Failure.TOO_LARGE) {
                sent.reset();
            }
            listener.part(aggregate.name(), part.name(), result.failure() == null ? null : result.failure().tag,
                    System.nanoTime() - started);
            done.complete(result);
        }

        private void cancelTimer() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
