package dev.outrigger.proxy;

import dev.outrigger.aggregate.Aggregate;
import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.aggregate.FanOut;
import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.rules.Cookies;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Optional;

/**
 * Takes the requests an aggregate answers (after hygiene, before the session step: each part takes that step itself)
 * and answers them from a {@link FanOut}. One instance per traffic event loop.
 */
final class AggregateStep {

    private final Aggregates aggregates;
    private final FanOut fanOut;
    private final boolean trustForwarded;

    AggregateStep(Aggregates aggregates, FanOut fanOut, boolean trustForwarded) {
        this.aggregates = aggregates;
        this.fanOut = fanOut;
        this.trustForwarded = trustForwarded;
    }

    /** No aggregates: takes nothing. */
    static AggregateStep none() {
        return new AggregateStep(Aggregates.NONE, null, false);
    }

    /**
     * Answers {@code req} when an aggregate takes its path: true when it did (or refused it). {@code date}: the Date of
     * now, as the forwarder keeps it.
     */
    boolean take(HttpServerRequest req, RequestTrace trace, Inbound checked, java.util.function.Supplier<String> date) {
        if (aggregates.isEmpty() || checked.target().equals("*")) {
            return false;
        }
        String target = checked.target();
        int q = target.indexOf('?');
        Optional<Aggregates.Match> match = aggregates.match(q < 0 ? target : target.substring(0, q));
        if (match.isEmpty()) {
            return false;
        }
        Aggregate a = match.get().aggregate();
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            refuse(req, trace, a, 405, "an aggregate answers GET and HEAD");
            return true;
        }
        if (checked.hasBody()) {
            refuse(req, trace, a, 400, "an aggregate takes no request body");
            return true;
        }
        if (checked.authority().isEmpty()) {
            refuse(req, trace, a, 400, "an aggregate needs a Host"); // its parts are keyed and fetched under it
            return true;
        }
        MultiMap in = req.headers();
        MultiMap carried = MultiMap.caseInsensitiveMultiMap();
        for (String name : a.headers()) {
            in.getAll(name).forEach(v -> carried.add(name, v));
        }
        if (!a.cookies().isEmpty() && !carried.contains(HttpHeaders.COOKIE)) {
            String kept = cookies(in.getAll(HttpHeaders.COOKIE), a.cookies());
            if (!kept.isEmpty()) {
                carried.set(HttpHeaders.COOKIE, kept);
            }
        }
        if (trustForwarded) {
            // kept by hygiene (and keyed): a part keyed as the client's own request for it would be
            for (var e : in) {
                String lower = e.getKey().toLowerCase(Locale.ROOT);
                if (RequestHygiene.isForwarding(lower)) {
                    carried.add(e.getKey(), e.getValue());
                }
            }
        }
        carried.set(RequestTrace.REQUEST_ID, trace.id()); // the parts' log lines and the application see one id
        String client = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        FanOut.Flight flight;
        try {
            flight = fanOut.start(new FanOut.Request(a, match.get().variables(), q < 0 ? "" : target.substring(q + 1),
                    checked.authority(), carried, client));
        } catch (FanOut.BadRequest e) {
            refuse(req, trace, a, 400, e.getMessage());
            return true;
        }
        HttpServerResponse resp = req.response();
        resp.closeHandler(v -> flight.cancel());
        flight.answer().onComplete(ar -> {
            if (resp.ended() || resp.closed()) {
                return;
            }
            if (ar.failed()) {
                // never expected: every part ends with a result; the client must not hang
                refuse(req, trace, a, 500, "the aggregate could not be assembled");
                return;
            }
            FanOut.Answer answer = ar.result();
            trace.answered(aggregateName(a), "HIT".equals(answer.headers().get(CacheHeaders.X_CACHE)) ? CacheOutcome.HIT : CacheOutcome.MISS);
            resp.setStatusCode(answer.status());
            resp.headers().addAll(answer.headers());
            resp.putHeader(HttpHeaders.DATE, date.get()); // RFC 9110 §6.6.1: the answer is made here
            resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(answer.body().length()));
            if (req.method() == HttpMethod.HEAD) {
                resp.end();
            } else {
                resp.end(answer.body());
            }
        });
        return true;
    }

    /** The named cookies of the request's Cookie lines, in one Cookie value; "" for none. */
    static String cookies(java.util.List<String> lines, java.util.List<String> names) {
        StringBuilder kept = new StringBuilder();
        Cookies.jar(lines).forEach((name, value) -> {
            if (names.contains(name)) {
                kept.append(kept.isEmpty() ? "" : "; ").append(name).append('=').append(value);
            }
        });
        return kept.toString();
    }

    private static void refuse(HttpServerRequest req, RequestTrace trace, Aggregate a, int status, String reason) {
        trace.answered(aggregateName(a), CacheOutcome.ERROR);
        ErrorResponse.send(req, status, reason, false); // closes when a body is left unread
    }

    /** How the access log names an aggregate's request (its parts are logged under their routes). */
    private static String aggregateName(Aggregate a) {
        return "aggregate:" + a.name();
    }
}
