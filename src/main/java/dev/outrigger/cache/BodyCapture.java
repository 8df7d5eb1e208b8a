package dev.outrigger.cache;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.function.Consumer;

/**
 * Collects a relayed body for storing, up to a limit; gives up past it (the body keeps streaming to the client,
 * uncached). Confined to the exchange's event loop.
 */
public final class BodyCapture {
    private final long limit;
    private final Consumer<byte[]> onComplete;
    private final Runnable onTooLarge;
    private Buffer body = Buffer.buffer();
    private boolean abandoned;

    /** {@code onTooLarge} runs once, as soon as the body outgrows the limit. */
    public BodyCapture(long limit, Consumer<byte[]> onComplete, Runnable onTooLarge) {
        this.limit = limit;
        this.onComplete = onComplete;
        this.onTooLarge = onTooLarge;
    }

    public void chunk(Buffer chunk) {
        if (abandoned) {
            return;
        }
        if (body.length() + (long) chunk.length() > limit) {
            abandoned = true; // too large to store: it keeps streaming, uncached
            body = null;
            onTooLarge.run();
            return;
        }
        body.appendBuffer(chunk);
    }

    /**
     * Reads {@code response}'s body into this capture and completes it at the end: for a response no
     * client is waiting on (a background refresh, a shared answer another fetch replaces).
     */
    public void consume(HttpClientResponse response, Runnable failed) {
        response.handler(this::chunk);
        response.exceptionHandler(t -> failed.run());
        response.endHandler(v -> complete());
    }

    /** The body ended cleanly and the client has it; false when it was too large to keep. */
    public boolean complete() {
        if (!abandoned) {
            onComplete.accept(body.getBytes());
        }
        return !abandoned;
    }
}
