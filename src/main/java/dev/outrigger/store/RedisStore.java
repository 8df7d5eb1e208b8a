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
 * server, Sentinel or Cluster alike (each command names one key; a batch of several keys is sent as one only
 * where all keys reach one server). Errors propagate; {@link FailOpenStore} turns them into misses.
 */
public final class RedisStore implements CacheStore {

    private final Redis redis;
    private final String prefix;
    /** False for a Cluster: keys of one batch would be in different slots (CROSSSLOT), so each key goes alone. */
    private final boolean multiKeyBatches;

    /** On a single server (or behind Sentinel, or a primary with replicas). */
    public RedisStore(Redis redis, String prefix) {
        this(redis, prefix, true);
    }

    private RedisStore(Redis redis, String prefix, boolean multiKeyBatches) {
        this.redis = redis;
        this.prefix = prefix;
        this.multiKeyBatches = multiKeyBatches;
    }

    /** On a Redis Cluster. */
    public static RedisStore cluster(Redis redis, String prefix) {
        return new RedisStore(redis, prefix, false);
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
                .map(replies -> head(replies.get(0), replies.get(1)));
    }

    /** A GETRANGE's and a PTTL's replies as an entry's head; empty when the key is gone (PTTL -2). */
    private static Optional<Entry> head(Response range, Response pttlReply) {
        long pttl = pttlReply == null ? -2 : pttlReply.toLong();
        if (range == null || pttl == -2) {
            return Optional.empty();
        }
        return Optional.of(new Entry(range.toBuffer().getBytes(), pttl < 0 ? Duration.ZERO : Duration.ofMillis(pttl)));
    }

    /** One pipelined batch for every key (GETRANGE and PTTL each): one write, one round trip. */
    @Override
    public Uni<List<Optional<Entry>>> readHeads(List<String> keys, int length) {
        if (!multiKeyBatches || keys.size() < 2) {
            return CacheStore.super.readHeads(keys, length);
        }
        List<Request> batch = new java.util.ArrayList<>(2 * keys.size());
        for (String key : keys) {
            String k = prefix + key;
            batch.add(Request.cmd(Command.GETRANGE).arg(k).arg(0).arg(length - 1));
            batch.add(Request.cmd(Command.PTTL).arg(k));
        }
        return redis.batch(batch).map(replies -> {
            List<Optional<Entry>> heads = new java.util.ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                heads.add(head(replies.get(2 * i), replies.get(2 * i + 1)));
            }
            return heads;
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
