package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
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
    /** Published with each write and removal, in the same transaction; null: writes are not announced here. */
    private final WriteSignals signals;

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
     * On a single server, each write and removal announced with {@code signals} in the same transaction that makes it
     * ({@code MULTI}, {@code SET}/{@code DEL}, {@code PUBLISH}, {@code EXEC}, sent as one batch: one round trip). Redis
     * runs the two at once or neither: a transaction cut off before its EXEC is discarded, and one with a command
     * refused while queued (an ACL without the channel) is aborted. Needs {@code MULTI} and {@code EXEC} in the user's
     * ACL; not for a replication client that may send reads to replicas (it would route the batch to one). The other pods vouch for their in-process copies
     * only while every change reaches them in order (heartbeats); a separate PUBLISH after the SET could be lost with
     * its writer, or, after a SET that timed out here, overtake the write. No scripting: a value is not copied
     * through Lua.
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
            return announced(Request.cmd(Command.SET).arg(prefix + key).arg(Buffer.buffer(value)).arg("PX").arg(ttl.toMillis()),
                    signals.overwritten(key)).replaceWithVoid();
        }
        return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg(Buffer.buffer(value))
                        .arg("PX").arg(ttl.toMillis()))
                .replaceWithVoid();
    }

    @Override
    public Uni<Boolean> remove(String key) {
        Request del = Request.cmd(Command.DEL).arg(prefix + key);
        Uni<Response> removed = signals == null ? redis.send(del) : announced(del, signals.removed(key));
        return removed.map(r -> r != null && r.toLong() > 0);
    }

    /** {@code change} and its announcement in one transaction; {@code change}'s reply. */
    private Uni<Response> announced(Request change, String announcement) {
        return redis.batch(List.of(Request.cmd(Command.MULTI), change,
                        Request.cmd(Command.PUBLISH).arg(signals.channel()).arg(announcement), Request.cmd(Command.EXEC)))
                .map(replies -> {
                    Response exec = replies.get(3);
                    if (exec == null || exec.size() != 2) {
                        throw new IllegalStateException("transaction not run: " + exec);
                    }
                    // an error inside EXEC's reply (an ACL changed between queueing and running): not a write made
                    // and announced, whatever landed
                    for (int i = 0; i < 2; i++) {
                        if (exec.get(i) != null && exec.get(i).type() == ResponseType.ERROR) {
                            throw new IllegalStateException("transaction refused: " + exec.get(i));
                        }
                    }
                    return exec.get(0);
                });
    }
}
