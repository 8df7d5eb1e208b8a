package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The shared L2: values in Redis under a versioned key prefix, with Redis expiry (PX). Works on a single
 * server, Sentinel or Cluster alike (each command names one key). Errors propagate; {@link FailOpenStore}
 * turns them into misses.
 */
public final class RedisStore implements CacheStore {

    private final Redis redis;
    private final String prefix;

    public RedisStore(Redis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Uni<Optional<Entry>> get(String key) {
        String k = prefix + key;
        // One round trip: the value and its remaining life, pipelined.
        return redis.batch(List.of(Request.cmd(Command.GET).arg(k), Request.cmd(Command.PTTL).arg(k)))
                .map(replies -> {
                    Response value = replies.get(0);
                    long pttl = replies.get(1) == null ? -2 : replies.get(1).toLong();
                    if (value == null || pttl == -2) {
                        return Optional.<Entry>empty();
                    }
                    // -1: no expiry set (not written by us); treat as already due so callers revalidate
                    Duration ttl = pttl < 0 ? Duration.ZERO : Duration.ofMillis(pttl);
                    return Optional.of(new Entry(value.toBuffer().getBytes(), ttl));
                });
    }

    @Override
    public Uni<Optional<Entry>> readHead(String key, int length) {
        String k = prefix + key;
        return redis.batch(List.of(Request.cmd(Command.GETRANGE).arg(k).arg(0).arg(length - 1), Request.cmd(Command.PTTL).arg(k)))
                .map(replies -> {
                    long pttl = replies.get(1) == null ? -2 : replies.get(1).toLong();
                    if (replies.get(0) == null || pttl == -2) {
                        return Optional.<Entry>empty();
                    }
                    return Optional.of(new Entry(replies.get(0).toBuffer().getBytes(), pttl < 0 ? Duration.ZERO : Duration.ofMillis(pttl)));
                });
    }

    @Override
    public Uni<Void> put(String key, byte[] value, Duration ttl) {
        if (ttl.toMillis() <= 0) {
            return remove(key).replaceWithVoid();
        }
        return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg(Buffer.buffer(value))
                        .arg("PX").arg(ttl.toMillis()))
                .replaceWithVoid();
    }

    @Override
    public Uni<Boolean> remove(String key) {
        return redis.send(Request.cmd(Command.DEL).arg(prefix + key)).map(r -> r != null && r.toLong() > 0);
    }
}
