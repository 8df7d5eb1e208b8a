package dev.outrigger.proxy;

import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheOutcome;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request as the meters and the access log see it: when it arrived, its id ({@code X-Request-Id}: the
 * client's when it is a sane token, else one made here, and forwarded to the application either way), and, as
 * it goes, its route, its outcome and the upstream's time to answer. Written on the request's event loop.
 */
final class RequestTrace {

    static final String REQUEST_ID = "X-Request-Id";
    private static final int MAX_ID = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final long arrived;
    /** The client's sane id; else made when first asked for (a hit answered from memory may never need one). */
    private String id;
    private String route = Meters.DEFAULT_ROUTE;
    private CacheOutcome outcome;
    private long upstreamNanos = -1;
    private Runnable onEnd;
    /** The session the gate resolved and attached, when there is one. */
    private io.vertx.core.json.JsonObject session;

    private RequestTrace(long arrived, String id) {
        this.arrived = arrived;
        this.id = id;
    }

    /**
     * Starts the trace of a request that just arrived. Its {@code X-Request-Id} is the client's when sane, else one
     * made here when first asked for: the forwarder sets it on every upstream request ({@link #id}).
     */
    static RequestTrace start(HttpServerRequest req) {
        long now = System.nanoTime();
        String id = req.getHeader(REQUEST_ID);
        return new RequestTrace(now, id == null || !sane(id) ? null : id);
    }

    /** Visible token characters only, so it cannot break a log line or a header it is copied into. */
    static boolean sane(String id) {
        if (id.isEmpty() || id.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits in hex: an id, not a secret. */
    static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    /** Not counted in the request meters (a warming request); still logged. */
    private boolean uncounted;

    void uncounted() {
        this.uncounted = true;
    }

    /** The request ended so: counted, timed, and kept for the access log. */
    void outcome(Meters meters, String route, CacheOutcome outcome) {
        this.route = route;
        this.outcome = outcome;
        if (!uncounted) {
            meters.outcome(route, outcome, arrived);
        }
    }

    /**
     * The request ended so, without counting it as a cache outcome: an aggregate, whose parts are counted as
     * requests of their own. Kept for the access log.
     */
    void answered(String name, CacheOutcome outcome) {
        this.route = name;
        this.outcome = outcome;
    }

    /** The gate attached this session to the request. */
    void session(io.vertx.core.json.JsonObject resolved) {
        this.session = resolved;
    }

    /**
     * A top-level field of the attached session as text (strings as they are, numbers and booleans as written);
     * empty without a session or without the field, or when it is an object or array.
     */
    java.util.Optional<String> sessionField(String name) {
        if (session == null) {
            return java.util.Optional.empty();
        }
        Object v = session.getValue(name);
        // the same test KeySpec applies: an empty or blank value names nobody (it must not be cached as a user)
        return v instanceof String || v instanceof Number || v instanceof Boolean
                ? java.util.Optional.of(v.toString()).filter(s -> !s.isBlank()) : java.util.Optional.empty();
    }

    /** Runs {@code action} once, when the exchange ends ({@link #end}). */
    void onEnd(Runnable action) {
        this.onEnd = action;
    }

    /** Runs {@code action} once as well, after the end action. */
    void alsoAtEnd(Runnable action) {
        Runnable first = onEnd;
        onEnd = first == null ? action : () -> {
            first.run();
            action.run();
        };
    }

    /**
     * The exchange is over for the drain and the access log: its response ended, its connection closed, or it
     * became a tunnel (whose response Vert.x never ends). Only the first call counts.
     */
    void end() {
        Runnable action = onEnd;
        onEnd = null;
        if (action != null) {
            action.run();
        }
    }

    /** The upstream answered (its response head) this long after the upstream request started. */
    void upstream(long nanos) {
        upstreamNanos = nanos;
    }

    long arrived() {
        return arrived;
    }

    String id() {
        if (id == null) {
            id = newId();
        }
        return id;
    }

    String route() {
        return route;
    }

    /** Null when the request ended before one was recorded (the client left). */
    CacheOutcome outcome() {
        return outcome;
    }

    /** Negative when the upstream was not asked. */
    long upstreamNanos() {
        return upstreamNanos;
    }
}
