package dev.outrigger.proxy;

import dev.outrigger.cache.BodyCapture;
import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import java.util.Set;

/**
 * What the cache wants from one upstream exchange: extra request headers (validators), the chance to
 * answer the client itself when the response head (or a failure) arrives, and a body capture for storing.
 * Callbacks run on the request's event loop.
 */
interface Exchange {

    /** Forward and relay, the cache taking no part. */
    Exchange PASS = bypass("bypass");

    /** Forward and relay, the cache taking no part, for {@code why} (named in Cache-Status). */
    static Exchange bypass(String why) {
        return new Exchange() {
            @Override
            public BodyCapture onRelay(HttpClientResponse response, MultiMap relayed) {
                relayed.set(CacheHeaders.X_CACHE, "BYPASS");
                relayed.set(CacheHeaders.CACHE_STATUS, CacheHeaders.forward(why, response.statusCode(), false));
                return null;
            }

            @Override
            public CacheOutcome outcome() {
                return CacheOutcome.BYPASS;
            }
        };
    }

    /** The upstream request is about to go out (after any wait for a connection or a flight). */
    default void onSend() { }

    /** Headers to set on the upstream request, over the client's (validators when revalidating). */
    default Headers upstreamHeaders() {
        return Headers.EMPTY;
    }

    /**
     * Client headers (lowercase names) the upstream request must not carry: a fetch made on behalf of
     * many carries no one client's credentials or conditionals (DESIGN rule 15).
     */
    default Set<String> withheld() {
        return Set.of();
    }

    /**
     * Work that must be done before the response head reaches the client (an invalidation a next
     * request must already see), or null for none. Completes on the request's context.
     */
    default Future<Void> beforeRelay(HttpClientResponse response) {
        return null;
    }

    /** The upstream answered; true when the caller has answered the client (the upstream body is dropped). */
    default boolean onHead(HttpClientResponse response) {
        return false;
    }

    /** The upstream failed before answering; true when the caller has answered the client. */
    default boolean onFailure(Throwable cause) {
        return false;
    }

    /**
     * The response is about to be relayed with {@code relayed} as its headers: add the cache headers,
     * and return where to copy the body for storing, or null.
     */
    BodyCapture onRelay(HttpClientResponse response, MultiMap relayed);

    /** Counted once the relay ends cleanly. */
    CacheOutcome outcome();

    /**
     * The exchange ended without a complete relay: the client left, or the upstream broke off mid-body.
     * May come after {@link #onFailure} or {@link #onRelay}; implementations must tolerate repeats.
     */
    default void abandoned() { }
}
