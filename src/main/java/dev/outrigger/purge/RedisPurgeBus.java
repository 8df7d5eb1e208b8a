package dev.outrigger.purge;

import dev.outrigger.store.RedisSubscription;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Purges through Redis: each one's records go into one sorted set ({@code <prefix>purges}, member
 * {@code H|<record>} or {@code S|<record>} for soft, score its threshold, kept with {@code ZADD GT} so a
 * record purged again keeps only its latest threshold), and the purge is published as JSON on the
 * invalidation channel, which applications may publish to as well. Every pod applies what arrives on the
 * channel at once (and records it, so a purge an application published is kept too), and reads the set
 * when it (re)subscribes and every {@code syncInterval}, so a pod that was down or cut off catches up.
 * Purges made while its subscription was down are in the set before they are published, and the set is
 * read only once the subscription is confirmed again, so each is either heard or read.
 *
 * <p>Deployments sharing one Redis keep apart by their key prefix; the channel is theirs too unless set
 * ({@link #channel(String, Optional)}).
 */
public final class RedisPurgeBus implements PurgeBus {

    private static final Logger LOG = Logger.getLogger(RedisPurgeBus.class);
    /** A record written by a pod whose clock is behind ours may land below our last read: read back this far. */
    private static final long SYNC_OVERLAP_MICROS = 60_000_000L;

    private final Redis redis;
    private final Purges purges;
    private final String records;
    private final String channel;
    private final Duration syncInterval;
    private final Duration timeout;
    private final Vertx vertx;
    private final Clock clock;
    private final Listener listener;
    private final RedisSubscription subscription;
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile long syncedSince = Long.MIN_VALUE;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private long timer = -1;

    /**
     * The invalidation channel: the one configured, else {@code <prefix>invalidate}, so that deployments
     * sharing a Redis under different prefixes never apply each other's purges.
     */
    public static String channel(String prefix, Optional<String> configured) {
        return configured.filter(c -> !c.isBlank()).orElse(prefix + "invalidate");
    }

    public RedisPurgeBus(Redis redis, Purges purges, String prefix, String channel, Duration syncInterval, Duration timeout,
                         Vertx vertx, Clock clock, Listener listener) {
        this.redis = redis;
        this.purges = purges;
        this.records = prefix + "purges";
        this.channel = channel;
        this.syncInterval = syncInterval;
        this.timeout = timeout;
        this.vertx = vertx;
        this.clock = clock;
        this.listener = listener;
        this.subscription = new RedisSubscription(redis, channel, Duration.ofSeconds(1), this::onMessage, this::sync);
    }

    /** Subscribes (reading the records on every subscription) and syncs every {@code syncInterval}. */
    public RedisPurgeBus start() {
        subscription.start();
        timer = vertx.setPeriodic(Math.max(1, syncInterval.toMillis()), id -> sync());
        return this;
    }

    /** Whether the channel subscription is open and the records have been read once. */
    public boolean ready() {
        return subscription.subscribed() && syncedSince != Long.MIN_VALUE;
    }

    @Override
    public Uni<Void> whenReady() {
        // A copy per caller: one that gives up (a timeout cancels the stage) must not cancel it for all.
        return subscription.whenSubscribed().chain(() -> Uni.createFrom().completionStage(firstSync::copy));
    }

    /** The channel purges are published and heard on. */
    public String channel() {
        return channel;
    }

    @Override
    public Purges purges() {
        return purges;
    }

    @Override
    public Uni<Void> purge(Purge request) {
        Purge p = request.issuedAt(clock.millis());
        long threshold = purges.apply(p);
        return persist(p, threshold)
                .chain(() -> redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(p.toJson())))
                .ifNoItem().after(timeout).fail()
                .replaceWithVoid();
    }

    private Uni<Response> persist(Purge p, long threshold) {
        Request zadd = Request.cmd(Command.ZADD).arg(records).arg("GT");
        String mode = p.soft() ? "S|" : "H|";
        for (String record : Purges.records(p)) {
            zadd.arg(threshold).arg(mode + record);
        }
        return redis.send(zadd);
    }

    private void onMessage(String json) {
        Purge p;
        try {
            p = Purge.parse(json, true);
        } catch (Purge.Invalid e) {
            listener.rejected();
            warnAtMostEveryMinute("ignored a message on " + channel + " that is not a purge (" + e.getMessage() + ")");
            return;
        }
        long threshold = purges.apply(p);
        listener.applied(p);
        if (p.issuedAtMillis() > 0) {
            listener.broadcastLag(Math.max(0, clock.millis() - p.issuedAtMillis()));
        }
        // Kept for pods that start later; for a purge from the API this repeats what its pod wrote (GT: harmless).
        persist(p, threshold).ifNoItem().after(timeout).fail().subscribe().with(
                ok -> { }, failed -> LOG.debugf("could not record a purge from the channel: %s", failed));
    }

    /** Reads the records written since the last read (all of them the first time), and drops expired ones. */
    private void sync() {
        long cutoff = purges.retainedSince();
        long since = syncedSince == Long.MIN_VALUE ? cutoff : Math.max(cutoff, syncedSince - SYNC_OVERLAP_MICROS);
        long now = Purges.micros(clock.instant());
        redis.batch(List.of(
                        Request.cmd(Command.ZREMRANGEBYSCORE).arg(records).arg("-inf").arg("(" + cutoff),
                        Request.cmd(Command.ZRANGEBYSCORE).arg(records).arg(since).arg("+inf").arg("WITHSCORES")))
                .ifNoItem().after(Duration.ofSeconds(5)).fail()
                .subscribe().with(replies -> {
                    applyAll(replies.get(1));
                    purges.prune();
                    syncedSince = now;
                    firstSync.complete(null);
                }, failed -> LOG.debugf("purge records not read (%s); next try in %s", failed, syncInterval));
    }

    /** RESP2 answers member, score, member, score…; RESP3 answers [member, score] pairs. */
    private void applyAll(Response reply) {
        if (reply == null) {
            return;
        }
        int i = 0;
        while (i < reply.size()) {
            String member;
            long threshold;
            if (reply.get(i).type() == ResponseType.MULTI) {
                member = reply.get(i).get(0).toString();
                threshold = reply.get(i).get(1).toDouble().longValue();
                i += 1;
            } else {
                member = reply.get(i).toString();
                threshold = reply.get(i + 1).toDouble().longValue();
                i += 2;
            }
            if (member.length() > 2 && member.charAt(1) == '|') {
                purges.applyRecord(member.substring(2), member.charAt(0) == 'S', threshold);
            }
        }
    }

    private void warnAtMostEveryMinute(String message) {
        long now = clock.millis();
        long last = lastWarning.get();
        if (now - last >= 60_000 && lastWarning.compareAndSet(last, now)) {
            LOG.warn(message);
        } else {
            LOG.debug(message);
        }
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        subscription.close();
    }
}
