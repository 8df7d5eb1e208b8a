package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One pub/sub subscription to one channel (or a few, on the one connection: Redis hands a connection its messages
 * in the order it handled the PUBLISHes, whatever their channels) on a connection of its own, reopened whenever it
 * drops (Redis restarted, network cut). It counts as subscribed only once Redis has confirmed the SUBSCRIBE: the client
 * completes a pub/sub command as soon as it is written, before Redis has registered it, and a message
 * published in between would be lost. Messages may be lost while it is down; {@code onSubscribed} runs
 * after every confirmed (re)subscription, the first included, so the owner can make safe whatever it may
 * have missed (it runs before {@link #whenSubscribed()} completes).
 */
public final class RedisSubscription implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisSubscription.class);
    /** A SUBSCRIBE written but not confirmed within this is given up and tried again. */
    private static final Duration CONFIRM_WITHIN = Duration.ofSeconds(5);

    private final Redis redis;
    /** The channels subscribed to: the first {@code required} always, the rest until Redis refuses them (ACLs). */
    private volatile List<String> channels;
    private final int required;
    private final Duration retry;
    private final Consumer<String> onMessage;
    private final Runnable onSubscribed;
    // Guarded by this: the connection whose SUBSCRIBE awaits confirmation, the confirmed one, and the
    // future the next confirmation completes (replaced by a fresh one when the subscription drops).
    private RedisConnection pending;
    private RedisConnection connection;
    private CompletableFuture<Void> active = new CompletableFuture<>();
    private boolean closed;

    public RedisSubscription(Redis redis, String channel, Duration retry, Consumer<String> onMessage, Runnable onSubscribed) {
        this(redis, List.of(channel), 1, retry, onMessage, onSubscribed);
    }

    /**
     * As the constructor, to every one of {@code channels} on the one connection; subscribed once Redis confirmed them
     * all. Should Redis refuse the SUBSCRIBE (an ACL without one of the channels), the channels after the first
     * {@code required} are given up (one warning) and the rest subscribed to alone.
     */
    public RedisSubscription(Redis redis, List<String> channels, int required, Duration retry, Consumer<String> onMessage,
                             Runnable onSubscribed) {
        this.redis = redis;
        this.channels = List.copyOf(channels);
        this.required = required;
        this.retry = retry;
        this.onMessage = onMessage;
        this.onSubscribed = onSubscribed;
    }

    public RedisSubscription start() {
        subscribe();
        return this;
    }

    /** Whether Redis has confirmed the subscription and it has not dropped since. */
    public synchronized boolean subscribed() {
        return connection != null;
    }

    /**
     * Completes once the subscription is confirmed (at once if it is now), after {@code onSubscribed} has
     * run. Never fails; while Redis is unreachable it does not complete, so callers bound it.
     */
    public Uni<Void> whenSubscribed() {
        // A copy: a caller that gives up (a timeout cancels the stage) must not cancel it for everyone.
        return Uni.createFrom().completionStage(() -> current().copy());
    }

    private synchronized CompletableFuture<Void> current() {
        return active;
    }

    private void subscribe() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        redis.connect().subscribe().with(c -> {
            synchronized (this) {
                if (closed) {
                    c.closeAndForget();
                    return;
                }
                pending = c;
            }
            c.handler(message -> deliver(c, message));
            c.exceptionHandler(t -> dropped(c, t));
            c.endHandler(() -> dropped(c, null));
            // Completes once written; the confirmation arrives as a "subscribe" message (see deliver).
            Request subscribe = Request.cmd(Command.SUBSCRIBE);
            List<String> asked = channels;
            asked.forEach(subscribe::arg);
            c.send(subscribe).subscribe().with(
                    written -> Uni.createFrom().voidItem().onItem().delayIt().by(CONFIRM_WITHIN).subscribe()
                            .with(v -> unconfirmed(c)),
                    failed -> dropped(c, failed));
        }, this::retryLater);
    }

    private void deliver(RedisConnection c, Response message) {
        if (message != null && message.type() == ResponseType.ERROR) {
            refused(c, message.toString()); // the one command sent on this connection is the SUBSCRIBE
            return;
        }
        // RESP2 and RESP3 alike: ["message", channel, payload], and ["subscribe", channel, count] once
        // Redis has registered the subscription to that channel (before any message on it); count is how many
        // channels this connection is subscribed to, so the last one's confirmation says all.
        if (message == null || (message.type() != ResponseType.MULTI && message.type() != ResponseType.PUSH)
                || message.size() != 3) {
            return;
        }
        String kind = message.get(0).toString();
        List<String> asked = channels;
        if ("message".equals(kind)) {
            onMessage.accept(message.get(2).toString());
        } else if ("subscribe".equals(kind) && asked.contains(message.get(1).toString())
                && message.get(2).toLong() == asked.size()) {
            confirmed(c);
        }
    }

    /** Redis refused the SUBSCRIBE (NOPERM: an ACL without a channel): the optional channels go, and it is tried again. */
    private void refused(RedisConnection c, String reason) {
        List<String> given;
        synchronized (this) {
            if (closed || pending != c) {
                return;
            }
            given = channels.subList(required, channels.size());
            channels = channels.subList(0, required);
        }
        if (given.isEmpty()) {
            LOG.warnf("Redis refused SUBSCRIBE %s (%s): trying again in %s", names(), reason, retry);
        } else {
            LOG.warnf("Redis refused SUBSCRIBE %s (%s): subscribing without it; grant the user the key prefix's channels "
                    + "(e.g. &orc:v1:*)", String.join(" ", given), reason);
        }
        dropped(c, new IllegalStateException(reason));
    }

    private String names() {
        return String.join(" ", channels);
    }

    private void confirmed(RedisConnection c) {
        CompletableFuture<Void> done;
        synchronized (this) {
            if (closed || pending != c) {
                return;
            }
            pending = null;
            connection = c;
            done = active;
        }
        LOG.debugf("subscribed to %s", names());
        try {
            onSubscribed.run();
        } finally {
            done.complete(null);
        }
    }

    private void unconfirmed(RedisConnection c) {
        boolean waiting;
        synchronized (this) {
            waiting = pending == c;
        }
        if (waiting) {
            dropped(c, new TimeoutException("SUBSCRIBE " + names() + " not confirmed within " + CONFIRM_WITHIN));
        }
    }

    private void dropped(RedisConnection c, Throwable cause) {
        synchronized (this) {
            if (closed || (pending != c && connection != c)) {
                return; // an earlier connection, already replaced
            }
            pending = null;
            connection = null;
            if (active.isDone()) {
                active = new CompletableFuture<>();
            }
        }
        c.closeAndForget();
        retryLater(cause);
    }

    private void retryLater(Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        LOG.debugf("subscription to %s down (%s); retrying in %s", names(), cause, retry);
        Uni.createFrom().voidItem().onItem().delayIt().by(retry).subscribe().with(v -> subscribe());
    }

    @Override
    public void close() {
        RedisConnection p;
        RedisConnection c;
        synchronized (this) {
            closed = true;
            p = pending;
            c = connection;
            pending = null;
            connection = null;
        }
        if (p != null) {
            p.closeAndForget();
        }
        if (c != null) {
            c.closeAndForget();
        }
    }
}
