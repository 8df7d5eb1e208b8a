package dev.outrigger.coalesce;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import dev.outrigger.store.RedisSubscription;
import dev.outrigger.store.WriteSignals;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Leases in Redis ({@code SET <prefix>lease:<key> <token> NX PX <ttl>}), extended and released by token
 * with compare-and-act scripts so a slow old holder cannot touch a newer holder's lease, and one pub/sub
 * subscription per pod for the signals (never one per request): {@code <F|U|X|O|R> <pod> <key>} on
 * {@code <prefix>fill} ({@code C <pod> *}: that pod failed to announce writes, see {@link #announce}), and the
 * pod's heartbeats {@code H <pod> <stamp>} on {@code <prefix>heartbeat:<pod>}, on the same connection. Every call
 * has a deadline; after a failure Redis is left alone for {@code backoff} and acquisitions answer {@link Local} at
 * once. Write announcements and heartbeats do not wait for that backoff (see {@link #announce}).
 */
public final class RedisLeases implements Leases {

    private static final Logger LOG = Logger.getLogger(RedisLeases.class);

    // Only the holder's token may extend or delete; the signal goes out either way (the fetch has ended).
    private static final String EXTEND = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "redis.call('DEL', KEYS[1]) end return redis.call('PUBLISH', ARGV[2], ARGV[3])";

    private final Redis redis;
    private final String leasePrefix;
    private final String channel;
    /** This pod's heartbeat channel ({@code <prefix>heartbeat:<pod>}). */
    private final String heartbeats;
    private final Duration ttl;
    private final Duration timeout;
    private final Duration backoff;
    /** This pod's name in tokens and signals, so it can ignore its own signals. */
    private final String pod;
    /** The signal channel and this pod's name in it, shared with the store that announces this pod's writes. */
    private final WriteSignals signals;
    private final AtomicLong tokens = new AtomicLong();
    private volatile long downUntil = Long.MIN_VALUE;
    /**
     * An announcement failed (or was skipped since): one catch-up is owed, {@code C <pod> *}, which has every other
     * pod confirm all its copies before their next use (see {@link #announce}).
     */
    private final AtomicBoolean owesCatchUp = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Listener listener = (s, k, own) -> { };
    private final RedisSubscription subscription;
    /** One server hands out every message in the order it handled them (not so on a Cluster): see {@link #heartbeats}. */
    private final boolean ordered;

    /**
     * @param prefix the key prefix of everything Outrigger writes ({@code orc:v1:})
     * @param ttl how long a lease lives unless extended
     * @param timeout deadline of each Redis call
     * @param backoff how long Redis is skipped after a failed call
     */
    public RedisLeases(Redis redis, String prefix, Duration ttl, Duration timeout, Duration backoff) {
        this(redis, prefix, WriteSignals.forNewPod(prefix), ttl, timeout, backoff);
    }

    /**
     * As the constructor, for the pod named in {@code signals}: the pod whose store announces its writes with them
     * ({@link dev.outrigger.store.RedisStore#announcing}), so that it ignores its own announcements.
     */
    public RedisLeases(Redis redis, String prefix, WriteSignals signals, Duration ttl, Duration timeout, Duration backoff) {
        this(redis, prefix, signals, ttl, timeout, backoff, true);
    }

    /** As the constructor, on a Redis Cluster: signals published on one node may overtake another's, so no heartbeats. */
    public static RedisLeases cluster(Redis redis, String prefix, Duration ttl, Duration timeout, Duration backoff) {
        return new RedisLeases(redis, prefix, WriteSignals.forNewPod(prefix), ttl, timeout, backoff, false);
    }

    private RedisLeases(Redis redis, String prefix, WriteSignals signals, Duration ttl, Duration timeout, Duration backoff,
                        boolean ordered) {
        if (!signals.channel().equals(prefix + "fill")) {
            throw new IllegalArgumentException("signals on " + signals.channel() + ", leases under " + prefix);
        }
        this.redis = redis;
        this.ordered = ordered;
        this.signals = signals;
        this.pod = signals.pod();
        this.leasePrefix = prefix + "lease:";
        this.channel = signals.channel();
        this.ttl = ttl;
        this.timeout = timeout;
        this.backoff = backoff;
        // While it is down, waiters rely on lease expiry to notice an ended fetch; once it is back, the
        // listener makes safe what it may have missed.
        this.heartbeats = prefix + "heartbeat:" + pod;
        // the pod's heartbeats on a channel of its own, on the same connection as the signals: they come back
        // in order with the signals, and go to this pod alone (not to every pod, as the signals do)
        // (a Redis ACL without the heartbeat channel: signals alone, and heartbeats never heard back vouch for nothing)
        this.subscription = new RedisSubscription(redis, List.of(channel, heartbeats), 1, backoff, this::onMessage,
                () -> listener.mayHaveMissedSignals());
    }

    /** Opens the pod's signal subscription (and reopens it whenever it drops). */
    public RedisLeases start() {
        subscription.start();
        return this;
    }

    /** Whether the signal subscription is open: confirmed by Redis and not dropped since. */
    public boolean subscribed() {
        return subscription.subscribed();
    }

    @Override
    public Uni<Void> whenListening() {
        return subscription.whenSubscribed();
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Uni<Grant> acquire(String key) {
        return acquire(key, ttl);
    }

    @Override
    public Uni<Grant> acquire(String key, Duration ttl) {
        if (System.nanoTime() < downUntil) {
            return Uni.createFrom().item(new Local());
        }
        String lease = leasePrefix + key;
        String token = pod + ":" + tokens.incrementAndGet();
        // One round trip: the attempt, and how long the holder has left if it was not ours to take.
        return redis.batch(List.of(
                        Request.cmd(Command.SET).arg(lease).arg(token).arg("NX").arg("PX").arg(ttl.toMillis()),
                        Request.cmd(Command.PTTL).arg(lease)))
                .ifNoItem().after(timeout).fail()
                .map(replies -> {
                    Response set = replies.get(0);
                    if (set != null && "OK".equals(set.toString())) {
                        return (Grant) new Acquired(token);
                    }
                    long pttl = replies.get(1) == null ? 0 : replies.get(1).toLong();
                    return new Held(Duration.ofMillis(Math.max(0, pttl)));
                })
                .onFailure().recoverWithItem(t -> {
                    failed("acquire", t);
                    return new Local();
                });
    }

    @Override
    public Uni<Void> extend(String key, String token) {
        return call("extend", Request.cmd(Command.EVAL).arg(EXTEND).arg(1).arg(leasePrefix + key).arg(token)
                .arg(ttl.toMillis()));
    }

    /**
     * The other pods vouch for their copies only because every write is announced (see {@link #heartbeat}), so an
     * announcement is never simply dropped: one that fails (or times out) puts this pod in debt of a catch-up, sent a
     * backoff later and again until Redis takes it, which has every other pod confirm all its copies. While it is owed,
     * announcements are not sent (each write they follow has landed before the catch-up goes, which covers it), so a
     * Redis that is down gets one attempt per backoff, not one per write. Not skipped while the leases back off: a
     * lease call that timed out under load says nothing about the write this follows.
     */
    @Override
    public Uni<Void> announce(String key, Signal what) {
        if (owesCatchUp.get()) {
            return Uni.createFrom().voidItem();
        }
        return publish(channel, message(what, key))
                .onFailure().recoverWithItem(t -> {
                    oweCatchUp(t, false);
                    return null;
                });
    }

    /** One log line when announcements start failing; the catch-up's own retries are quiet. */
    private void oweCatchUp(Throwable cause, boolean retry) {
        if (!closed && owesCatchUp.compareAndSet(false, true)) {
            if (retry) {
                LOG.debugf("catch-up not taken (%s): again in %s", cause, backoff);
            } else {
                LOG.infof("write announcement failed (%s): the other pods are told to confirm every copy once Redis takes it",
                        cause);
            }
            Uni.createFrom().voidItem().onItem().delayIt().by(backoff).subscribe().with(v -> sendCatchUp());
        }
    }

    /** Cleared before it is sent: an announcement from here on goes out itself (its write may land after this). */
    private void sendCatchUp() {
        if (closed) {
            return;
        }
        owesCatchUp.set(false);
        publish(channel, "C " + pod + " *")
                .subscribe().with(ok -> LOG.infof("catch-up announced on %s: the other pods confirm every copy", channel),
                        failed -> oweCatchUp(failed, true));
    }

    @Override
    public boolean heartbeats() {
        return ordered;
    }

    /**
     * {@code H <pod> <stamp>} on this pod's heartbeat channel, subscribed on the signals' connection: Redis hands each
     * connection its messages in the order it handled the PUBLISHes, so when this pod hears its heartbeat back, it has
     * heard every signal published before.
     */
    @Override
    public Uni<Void> heartbeat(long stamp) {
        // a lost heartbeat is one not heard back, nothing more: no backoff either way (at most two per bound)
        return publish(heartbeats, "H " + pod + " " + stamp).onFailure().recoverWithNull();
    }

    @Override
    public Uni<Void> release(String key, String token, Signal signal) {
        return call("release", Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(leasePrefix + key).arg(token)
                .arg(channel).arg(message(signal, key)));
    }

    /** One command with the calls' deadline; fails on an error or no answer in time. */
    private Uni<Void> send(Request request) {
        return redis.send(request).ifNoItem().after(timeout).fail().replaceWithVoid();
    }

    private Uni<Void> publish(String to, String message) {
        return send(Request.cmd(Command.PUBLISH).arg(to).arg(message));
    }

    private Uni<Void> call(String what, Request request) {
        if (System.nanoTime() < downUntil) {
            return Uni.createFrom().voidItem();
        }
        return send(request)
                .onFailure().recoverWithItem(t -> {
                    failed(what, t);
                    return null;
                });
    }

    /**
     * A call that failed leaves Redis alone for the backoff (so a stalled Redis costs one deadline, not one per
     * miss); a renewal that was only slow does not: skipping renewals would let every lease this pod holds lapse
     * (a 1 s lease does within a second) and hand its fetches to other pods, which then fetch again.
     */
    private void failed(String what, Throwable cause) {
        if (cause instanceof io.smallrye.mutiny.TimeoutException && what.equals("extend")) {
            LOG.debugf("lease %s got no answer within %s", what, timeout);
            return;
        }
        downUntil = System.nanoTime() + backoff.toNanos();
        LOG.debugf("lease %s failed (%s): coalescing within this pod for %s", what, cause, backoff);
    }

    /** {@code <F|U|X|O|R> <pod> <key>}: the key last, since it may hold spaces (O and R: {@link WriteSignals}). */
    private String message(Signal signal, String key) {
        return switch (signal) {
            case FILLED -> "F " + pod + " " + key;
            case UNSHAREABLE -> "U " + pod + " " + key;
            case FAILED -> "X " + pod + " " + key;
            case OVERWRITTEN -> signals.overwritten(key);
            case REMOVED -> signals.removed(key);
        };
    }

    private void onMessage(String payload) {
        String[] parts = payload.split(" ", 3);
        if (parts.length != 3 || parts[0].length() != 1) {
            return;
        }
        if (parts[0].charAt(0) == 'H') {
            if (parts[1].equals(pod)) {
                try {
                    listener.caughtUp(Long.parseLong(parts[2]));
                } catch (NumberFormatException notOurs) {
                    // not a heartbeat this pod sent
                }
            }
            return; // another pod's heartbeat: nothing to hear
        }
        if (parts[0].charAt(0) == 'C') {
            if (!parts[1].equals(pod)) {
                listener.announcementsLost();
            }
            return;
        }
        // Our own lease signals count too: a flight here may be waiting on a lease this pod held and has
        // just released (its SET NX can overtake the release on another connection). Our own writes do not.
        if ((parts[0].charAt(0) == 'O' || parts[0].charAt(0) == 'R') && parts[1].equals(pod)) {
            return;
        }
        Signal signal = switch (parts[0].charAt(0)) {
            case 'F' -> Signal.FILLED;
            case 'U' -> Signal.UNSHAREABLE;
            case 'X' -> Signal.FAILED;
            case 'O' -> Signal.OVERWRITTEN;
            case 'R' -> Signal.REMOVED;
            default -> null;
        };
        if (signal != null) {
            listener.heard(signal, parts[2], parts[1].equals(pod));
        }
    }

    @Override
    public void close() {
        closed = true;
        subscription.close();
    }
}
