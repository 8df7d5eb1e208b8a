package dev.outrigger.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;

/**
 * What happens as a client connection opens on the traffic port: its request decoder becomes a
 * {@link GuardedRequestDecoder}. The traffic server's connection handler; the one place that reaches
 * below Vert.x's API into the channel pipeline.
 *
 * <p>Vert.x calls it on the connection's event loop while it sets the channel up (inside Netty's channel
 * initializer: HttpServerWorker.configureHttp1Handler hands the new connection to the connection handler
 * synchronously), before the channel is active and reading starts. So no byte of the connection can have
 * passed the decoder being replaced.
 */
final class ConnectionAdmission implements Handler<HttpConnection> {

    /** The name Vert.x gives its request decoder in an HTTP/1.x pipeline (HttpServerWorker). */
    private static final String DECODER = "httpDecoder";

    private final HttpServerOptions options;
    private final Duration headTimeout;

    ConnectionAdmission(HttpServerOptions options, Duration headTimeout) {
        this.options = options;
        this.headTimeout = headTimeout;
    }

    @Override
    public void handle(HttpConnection connection) {
        // HTTP/2 is off (no TLS, no h2c), so every connection is Vert.x's HTTP/1.x one, a ConnectionBase.
        ChannelHandlerContext handler = ((ConnectionBase) connection).channelHandlerContext();
        ChannelPipeline pipeline = handler.pipeline();
        pipeline.replace(DECODER, DECODER, new GuardedRequestDecoder(options, headTimeout));
    }
}
