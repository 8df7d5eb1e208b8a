package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One pub/sub subscription to one channel on a connection of its own, reopened whenever it drops (Redis
 * restarted, network cut). Messages may be lost while it is down; {@code onSubscribed} runs after every
 * (re)subscription so the owner can catch up on what it missed.
 */
public final class RedisSubscription implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisSubscription.class);

    private final Redis redis;
    private final String channel;
    private final Duration retry;
    private final Consumer<String> onMessage;
    private final Runnable onSubscribed;
    private volatile RedisConnection connection;
    private volatile boolean closed;

    public RedisSubscription(Redis redis, String channel, Duration retry, Consumer<String> onMessage, Runnable onSubscribed) {
        this.redis = redis;
        this.channel = channel;
        this.retry = retry;
        this.onMessage = onMessage;
        this.onSubscribed = onSubscribed;
    }

    public RedisSubscription start() {
        subscribe();
        return this;
    }

    /** Whether the subscription is open now. */
    public boolean subscribed() {
        return connection != null;
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        redis.connect().subscribe().with(c -> {
            c.handler(this::deliver);
            c.exceptionHandler(t -> dropped(c, t));
            c.endHandler(() -> dropped(c, null));
            c.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).subscribe().with(
                    ok -> {
                        connection = c;
                        if (closed) {
                            c.closeAndForget();
                            return;
                        }
                        onSubscribed.run();
                    },
                    failed -> {
                        c.closeAndForget();
                        retryLater(failed);
                    });
        }, this::retryLater);
    }

    private void deliver(Response message) {
        // RESP2 and RESP3 alike: ["message", channel, payload]
        if (message != null && message.size() == 3 && "message".equals(message.get(0).toString())) {
            onMessage.accept(message.get(2).toString());
        }
    }

    private void dropped(RedisConnection c, Throwable cause) {
        if (connection == c) {
            connection = null;
            c.closeAndForget();
            retryLater(cause);
        }
    }

    private void retryLater(Throwable cause) {
        if (closed) {
            return;
        }
        LOG.debugf("subscription to %s down (%s); retrying in %s", channel, cause, retry);
        Uni.createFrom().voidItem().onItem().delayIt().by(retry).subscribe().with(v -> subscribe());
    }

    @Override
    public void close() {
        closed = true;
        RedisConnection c = connection;
        connection = null;
        if (c != null) {
            c.closeAndForget();
        }
    }
}
