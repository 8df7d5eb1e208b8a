package dev.outrigger.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's own HTTP/1.x request decoder (it takes that decoder's place in a traffic connection's
 * pipeline) that also holds every request head to a deadline and refuses obsolete line folding.
 *
 * <p>Being the decoder, it knows exactly where each head starts and ends, pipelined ones included: a
 * head starts with the first byte read after the previous request's last content, and ends when the
 * decoded request comes out. A head still incomplete when the bytes read so far are decoded gets a
 * deadline on the channel's event loop (most heads arrive in one read and never schedule anything);
 * at the deadline a request that failed to decode is passed on, so Vert.x hands it to the invalid-request
 * handler in its turn (after any response still being written on this connection) and the proxy answers
 * 408 there. A folded head is decoded by Netty, which unfolds it; the decoded request is then marked as
 * failed, so it too reaches the invalid-request handler, and never the upstream.
 *
 * <p>Event-loop confined, like every channel handler; nothing here blocks.
 */
final class GuardedRequestDecoder extends VertxHttpRequestDecoder {

    /** Where the connection stands between what the client sent and what was decoded. */
    private enum Phase {
        /** Between requests (an idle keep-alive connection): no deadline, only the idle timeout. */
        BETWEEN,
        /** A head has started and not yet been decoded: the deadline runs. */
        HEAD,
        /** A body is being received: no deadline (a slow body is the upstream's business). */
        BODY,
        /** A failed request was passed on (timed out, folded, malformed): nothing more is read from the client. */
        CLOSING
    }

    private final long timeoutNanos;
    private final HeadScanner scanner = new HeadScanner();
    private Phase phase = Phase.BETWEEN;
    private long headStart;
    private ScheduledFuture<?> deadline;

    GuardedRequestDecoder(HttpServerOptions options, Duration headTimeout) {
        super(options);
        this.timeoutNanos = headTimeout.toNanos();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (phase == Phase.CLOSING) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (phase == Phase.BETWEEN) {
            // RFC 9112 §2.2: empty lines before a request line are ignored (some clients send a CRLF after
            // a body); they do not start a head, so an idle keep-alive connection keeps its idle timeout
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
            if (!in.isReadable()) {
                return;
            }
            phase = Phase.HEAD;
            headStart = System.nanoTime();
            scanner.reset();
        }
        boolean inHead = phase == Phase.HEAD;
        int from = in.readerIndex();
        int decoded = out.size();
        super.decode(ctx, in, out);
        if (inHead) {
            // Netty consumes a head whole lines at a time and returns once it has decoded the request,
            // so these are head bytes, each scanned once; the scanner stops at the empty line regardless.
            scanner.scan(in, from, in.readerIndex());
        }
        for (int i = decoded; i < out.size() && phase != Phase.CLOSING; i++) {
            observe(out.get(i));
        }
        if (phase == Phase.HEAD && deadline == null) {
            arm(ctx, timeoutNanos - (System.nanoTime() - headStart));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (phase == Phase.CLOSING) {
            // Already answered: Netty would report the head it still holds as cut short by the close,
            // and the proxy would answer (and count) that request a second time.
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    private void observe(Object msg) {
        if (msg instanceof HttpRequest request) {
            cancel();
            phase = Phase.BODY;
            if (scanner.verdict() == HeadScanner.Verdict.FOLDED && request.decoderResult().isSuccess()) {
                // RFC 9112 §5.2 lets a server reject obs-fold; Netty would forward the unfolded value.
                request.setDecoderResult(DecoderResult.failure(new FoldedHeader()));
            }
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            // Vert.x answers it (through the invalid-request handler, or by closing): whatever follows on
            // this connection cannot be trusted to start a request.
            cancel();
            phase = Phase.CLOSING;
        } else if (msg instanceof LastHttpContent) {
            phase = Phase.BETWEEN;
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        deadline = ctx.executor().schedule(() -> expire(ctx), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        deadline = null;
        if (phase != Phase.HEAD || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // Vert.x stopped reading (a previous request's body waits, queued, for the upstream): a client
            // cannot be late with bytes nobody reads. It gets a whole period again.
            arm(ctx, timeoutNanos);
            return;
        }
        phase = Phase.CLOSING;
        DefaultFullHttpRequest timedOut = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                Unpooled.EMPTY_BUFFER);
        timedOut.setDecoderResult(DecoderResult.failure(new HeadTimeout()));
        ctx.fireChannelRead(timedOut);
        ctx.fireChannelReadComplete(); // Vert.x flushes what was written while it read
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        cancel();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancel(); // removed when the connection becomes a tunnel: its bytes are no request heads
        super.handlerRemoved0(ctx);
    }

    /** The request head did not arrive within the deadline (RFC 9110 §15.5.9: 408). */
    static final class HeadTimeout extends DecoderException {
        HeadTimeout() {
            super("request head not received in time");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected outcome, raised per slow client: no stack to capture
        }
    }

    /** A request header line started with whitespace (RFC 9112 §5.2 obs-fold, §2.2). */
    static final class FoldedHeader extends DecoderException {
        FoldedHeader() {
            super("obsolete line folding in request header");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
