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
    /** Published with each write and removal, in the same script; null: writes are not announced here. */
    private final WriteSignals signals;

    /** SET with expiry, then PUBLISH, as one step: the write and its announcement land together or not at all. */
    private static final String SET_ANNOUNCED = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
            + "redis.call('PUBLISH', ARGV[3], ARGV[4]) return 1";
    /** DEL, then PUBLISH, as one step; the number of keys removed. */
    private static final String DEL_ANNOUNCED = "local n = redis.call('DEL', KEYS[1]) "
            + "redis.call('PUBLISH', ARGV[1], ARGV[2]) return n";

    /** On a single server (or behind Sentinel, or a primary with replicas). */
    public RedisStore(Redis redis, String prefix) {
        this(redis, prefix, true, null);
    }

    private RedisStore(Redis redis, String prefix, boolean multiKeyBatches, WriteSignals signals) {
        this.redis = redis;
        this.prefix = prefix;
        this.multiKeyBatches = multiKeyBatches;
        this.signals = signals;
    }

    /** On a Redis Cluster. */
    public static RedisStore cluster(Redis redis, String prefix) {
        return new RedisStore(redis, prefix, false, null);
    }

    /**
     * On a single server, each write and removal announced with {@code signals} by the same script that makes it
     * (one round trip). The other pods vouch for their in-process copies only while every change reaches them in
     * order (heartbeats); a separate PUBLISH after the SET could be lost with its writer, or, after a SET that timed
     * out here, overtake the write.
     */
    public static RedisStore announcing(Redis redis, String prefix, WriteSignals signals) {
        return new RedisStore(redis, prefix, true, signals);
    }

    @Override
    public boolean announcesWrites() {
        return signals != null;
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
        if (signals != null) {
            return redis.send(Request.cmd(Command.EVAL).arg(SET_ANNOUNCED).arg(1).arg(prefix + key).arg(Buffer.buffer(value))
                            .arg(ttl.toMillis()).arg(signals.channel()).arg(signals.overwritten(key)))
                    .replaceWithVoid();
        }
        return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg(Buffer.buffer(value))
                        .arg("PX").arg(ttl.toMillis()))
                .replaceWithVoid();
    }

    @Override
    public Uni<Boolean> remove(String key) {
        Request del = signals == null ? Request.cmd(Command.DEL).arg(prefix + key)
                : Request.cmd(Command.EVAL).arg(DEL_ANNOUNCED).arg(1).arg(prefix + key)
                        .arg(signals.channel()).arg(signals.removed(key));
        return redis.send(del).map(r -> r != null && r.toLong() > 0);
    }
}
