package dev.outrigger.proxy;

import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.metrics.Meters;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What happens as a client connection opens on the traffic port: it is counted in, or refused when the
 * pod's cap is reached, and its request decoder becomes a {@link GuardedRequestDecoder}. The traffic
 * server's connection handler; the one place that reaches below Vert.x's API into the channel pipeline.
 *
 * <p>Vert.x calls it on the connection's event loop while it sets the channel up (inside Netty's channel
 * initializer: HttpServerWorker.configureHttp1Handler hands the new connection to the connection handler
 * synchronously), before the channel is active and reading starts. So no byte of the connection can have
 * passed the decoder being replaced, and a refused connection has not been read from at all.
 */
final class ConnectionAdmission implements Handler<HttpConnection> {

    /** The name Vert.x gives its request decoder in an HTTP/1.x pipeline (HttpServerWorker). */
    private static final String DECODER = "httpDecoder";

    /**
     * The answer to a connection over the cap, before it sent anything. RFC 9110 §15.6.4: nothing was
     * processed, so whatever the client meant to send may be retried (on another pod).
     */
    private static final byte[] REFUSED = refusal("too many client connections open\n");

    private final ClientConnections connections;
    private final Meters meters;
    private final HttpServerOptions options;
    private final Duration headTimeout;

    private final Drain drain;

    ConnectionAdmission(ClientConnections connections, Drain drain, Meters meters, HttpServerOptions options, Duration headTimeout) {
        this.connections = connections;
        this.drain = drain;
        this.meters = meters;
        this.options = options;
        this.headTimeout = headTimeout;
    }

    @Override
    public void handle(HttpConnection connection) {
        // HTTP/2 is off (no TLS, no h2c), so every connection is Vert.x's HTTP/1.x one, a ConnectionBase.
        ChannelHandlerContext handler = ((ConnectionBase) connection).channelHandlerContext();
        Channel channel = handler.channel();
        ChannelPipeline pipeline = handler.pipeline();
        if (drain.refusing()) {
            channel.close(); // shutting down: as if the listener were closed, the client connects elsewhere
            return;
        }
        if (!connections.tryOpen()) {
            meters.clientConnectionRefused();
            // Reading never starts, so no request of it can reach the upstream. The 503 goes out as raw
            // bytes from the decoder's place in the pipeline, below the HTTP encoder.
            channel.config().setAutoRead(false);
            pipeline.context(DECODER).writeAndFlush(Unpooled.wrappedBuffer(REFUSED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.closeFuture().addListener(f -> connections.closed());
        pipeline.replace(DECODER, DECODER, new GuardedRequestDecoder(options, headTimeout));
    }

    private static byte[] refusal(String reason) {
        return ("HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + reason.length() + "\r\n"
                + "Cache-Control: no-store\r\n"
                + CacheHeaders.X_CACHE + ": BYPASS\r\n"
                + CacheHeaders.CACHE_STATUS + ": " + CacheHeaders.NAME + "; fwd=bypass; detail=\"503\"\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + reason).getBytes(StandardCharsets.US_ASCII);
    }
}
