package dev.outrigger.coalesce;

import dev.outrigger.coalesce.Flight.Waiter;
import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Grant;
import dev.outrigger.coalesce.Leases.Held;
import dev.outrigger.coalesce.Leases.Local;
import dev.outrigger.coalesce.Leases.Signal;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One fetch per key for the whole deployment. In this pod, concurrent requests for a key form one
 * <em>flight</em>: the first asks for the key's {@link Leases lease}; if it gets it (or no shared lease can
 * be had) it fetches, otherwise it waits with the others for the holder's signal. When the fetch ends
 * the waiters are released at once: {@code filled} (look the key up again), or {@code alone} (fetch for
 * yourself). A failed fetch is handed to one waiter, once; a holder that goes silent loses its lease
 * when it expires, and one waiter takes over. Nothing here waits on a thread: timers and callbacks only.
 * One instance per pod, shared by every event loop; callbacks arrive on any thread.
 */
public final class Coalescer implements AutoCloseable {

    /** After this many failed fetches in a row, a flight's waiters fetch for themselves. */
    private static final int MAX_FAILED_ROUNDS = 2;

    private final Vertx vertx;
    private final Leases leases;
    private final CoalesceSettings settings;
    private final CoalesceListener listener;
    private final LocalCopies copies;
    private final Map<String, Flight> flights = new ConcurrentHashMap<>();
    private final HitForMiss unshareable;
    private final RecentFills recentFills = new RecentFills();

    public Coalescer(Vertx vertx, Leases leases, CoalesceSettings settings, Clock clock, CoalesceListener listener,
                     LocalCopies copies) {
        this.vertx = vertx;
        this.leases = leases;
        this.settings = settings;
        this.listener = listener;
        this.copies = copies;
        this.unshareable = new HitForMiss(settings.hitForMiss(), clock);
        leases.listen(new Leases.Listener() {
            @Override
            public void heard(Signal signal, String key, boolean fromThisPod) {
                onSignal(signal, key, fromThisPod);
            }

            @Override
            public void mayHaveMissedSignals() {
                catchUp();
            }

            @Override
            public void caughtUp(long stamp) {
                copies.caughtUp(stamp);
            }

            @Override
            public void announcementsLost() {
                copies.distrustAll();
            }
        });
        if (leases.heartbeats()) {
            copies.heartbeatWith(stamp -> leases.heartbeat(stamp).subscribe().with(v -> { }));
        }
    }

    /** The leases it coordinates with (the warmer's election takes one too). */
    public Leases leases() {
        return leases;
    }

    /** Whether its leases are shared with other replicas (Redis), rather than this pod's alone. */
    public boolean shared() {
        return leases != Leases.LOCAL;
    }

    /**
     * Completes once other pods' signals reach this pod (at once without shared leases). Never fails and
     * does not complete while Redis is unreachable: bound it (the proxy serves without, as it does when
     * the subscription drops later).
     */
    public Uni<Void> whenListening() {
        return leases.whenListening();
    }

    public CoalesceSettings settings() {
        return settings;
    }

    /** Whether the key is in its hit-for-miss period. */
    public boolean knownUnshareable(String key) {
        return unshareable.contains(key);
    }

    /** Flights in progress in this pod. */
    public int inFlight() {
        return flights.size();
    }

    /**
     * Takes part in the key's flight: leads a new one, or waits for (or serves stale during) the one in
     * progress. A key recently found unshareable is not coalesced: {@code alone} at once. A key filled
     * since {@code lookedUpAt} (the System.nanoTime its lookup started) is {@code filled} at once.
     */
    public void join(String key, long lookedUpAt, Participant p) {
        if (unshareable.contains(key)) {
            p.alone(Alone.UNSHAREABLE);
            return;
        }
        while (true) {
            Flight f = flights.get(key);
            if (f == null) {
                // A finishing flight records its fill before it leaves the map, so this sees it.
                if (recentFills.filledSince(key, lookedUpAt)) {
                    p.filled();
                    return;
                }
                Flight created = new Flight(key, vertx);
                if (flights.putIfAbsent(key, created) == null) {
                    acquire(created, p, false);
                    return;
                }
            } else if (await(f, p)) {
                return;
            }
        }
    }

    /** Waits for the key's flight if one is in progress (for requests that cannot lead one); false if none is. */
    public boolean joinIfInFlight(String key, long lookedUpAt, Participant p) {
        Flight f = flights.get(key);
        if (f != null && await(f, p)) {
            return true;
        }
        if (recentFills.filledSince(key, lookedUpAt)) {
            p.filled();
            return true;
        }
        return false;
    }

    /** False when the flight ended meanwhile. */
    private boolean await(Flight f, Participant p) {
        synchronized (f) {
            if (f.state == Flight.State.ENDED) {
                return false;
            }
        }
        if (p.servedStale()) {
            listener.saved(1);
            return true;
        }
        synchronized (f) {
            if (f.state == Flight.State.ENDED) {
                return false;
            }
            enqueue(f, p);
        }
        listener.waiting();
        return true;
    }

    private void acquire(Flight f, Participant head, boolean takeover) {
        leases.acquire(f.key).subscribe().with(grant -> granted(f, head, grant, takeover),
                failed -> granted(f, head, new Local(), takeover)); // acquire never fails; defensively local
    }

    private void granted(Flight f, Participant head, Grant grant, boolean takeover) {
        switch (grant) {
            case Acquired a -> {
                listener.leaseTaken();
                lead(f, head, a.token(), takeover);
            }
            case Local l -> lead(f, head, null, takeover);
            case Held h -> follow(f, head, h.remaining());
        }
    }

    private void lead(Flight f, Participant p, String token, boolean takeover) {
        LeadRound lead = null;
        synchronized (f) {
            if (f.state != Flight.State.ENDED) {
                lead = startLead(f, token, takeover);
            }
        }
        if (lead == null) {
            // the flight was ended (releaseAll at shutdown) while its lease was being taken: give it straight back
            if (token != null) {
                release(f, token, Signal.FAILED);
            }
            p.alone(Alone.FAILED);
            return;
        }
        // A lease taken in Redis may be the one another pod has just released after filling the key.
        p.lead(lead, takeover || token != null);
    }

    /** Under the flight's lock: it is led, with {@code token} (null: a local lead). */
    private LeadRound startLead(Flight f, String token, boolean takeover) {
        LeadRound lead = new LeadRound(this, f, f.lead(token), takeover);
        if (token != null) {
            // four renewals per lease life: a holder loses its lease only when it (or Redis) stalls for three of them
            long every = Math.max(1, settings.leaseTtl().toMillis() / 4);
            f.extendTimer = vertx.setPeriodic(every, id -> leases.extend(f.key, token).subscribe().with(v -> { }));
        }
        // A leader that never reports (a path that lost its callback) must not hold the flight forever.
        // Twice the wait bound: its waiters have given up by then, so a slow fetch is not doubled.
        f.leadTimer = vertx.setTimer(2 * settings.waitTimeout().toMillis(), id -> lead.failed());
        return lead;
    }

    private void follow(Flight f, Participant head, Duration remaining) {
        boolean stale = head.servedStale();
        Signal pending;
        synchronized (f) {
            f.state = Flight.State.FOLLOWING;
            if (!stale) {
                enqueue(f, head);
            }
            pending = f.pending;
            f.pending = null;
            // Backstop for a lost signal or a dead holder: look again when its lease runs out.
            f.leaseTimer = vertx.setTimer(Math.max(1, remaining.toMillis()) + 5, id -> leaseExpired(f));
        }
        if (stale) {
            listener.saved(1);
        } else {
            listener.waiting();
        }
        if (pending != null) {
            onSignal(pending, f);
        }
    }

    private void leaseExpired(Flight f) {
        Participant next;
        synchronized (f) {
            if (f.state != Flight.State.FOLLOWING) {
                return;
            }
            f.cancel(f.leaseTimer); // when called before its timer fired (catchUp)
            f.leaseTimer = -1;
            next = f.poll();
            if (next == null) {
                end(f); // nobody is waiting any more: the next request starts afresh
                return;
            }
            f.state = Flight.State.ACQUIRING;
        }
        acquire(f, next, true);
    }

    /**
     * The signal subscription was (re)opened, and what arrived while it was down is lost. Overwrite and
     * fill announcements: every local copy is confirmed before its next use, as any may be older than what another pod wrote. Fill
     * ends: every flight following another pod's lease asks for the lease again now rather than at its
     * expiry — free, it is taken and its leader looks in the store first (the fill is found there); still
     * held, the flight follows again. (Purges are caught up by the purge bus, which re-reads its records.)
     */
    private void catchUp() {
        copies.distrustAll();
        flights.values().forEach(this::leaseExpired);
    }

    /** Tells the other pods that {@code key} now holds a newer version (their local copies are confirmed before use). */
    public void announceWrite(String key) {
        leases.announce(key, Signal.OVERWRITTEN).subscribe().with(v -> { });
    }

    /**
     * Tells the other pods that {@code key} was removed: their local copies go at once, and are not served even
     * while the shared store cannot be asked (an invalidated response must not come back).
     */
    public void announceRemoval(String key) {
        leases.announce(key, Signal.REMOVED).subscribe().with(v -> { });
    }

    private void onSignal(Signal signal, String key, boolean fromThisPod) {
        if (signal == Signal.OVERWRITTEN) {
            copies.distrust(key);
            return;
        }
        if (signal == Signal.REMOVED) {
            copies.forget(key);
            return;
        }
        if (signal == Signal.UNSHAREABLE) {
            unshareable.mark(key);
        } else if (signal == Signal.FILLED && !fromThisPod) {
            // (our own fills were recorded when they ended, and ours is the copy just written)
            copies.distrust(key);
            recentFills.filledNow(key);
        }
        Flight f = flights.get(key);
        if (f != null) {
            onSignal(signal, f);
        }
    }

    private void onSignal(Signal signal, Flight f) {
        synchronized (f) {
            if (f.state == Flight.State.ACQUIRING) {
                f.pending = signal; // handled once we know whether we follow
                return;
            }
            if (f.state != Flight.State.FOLLOWING) {
                return; // we lead (or have ended): another pod's earlier fetch does not concern us
            }
            f.cancel(f.leaseTimer);
            f.leaseTimer = -1;
        }
        switch (signal) {
            case FILLED -> finish(f, null);
            case UNSHAREABLE -> finish(f, Alone.UNSHAREABLE);
            case FAILED -> retry(f, true, null);
            case OVERWRITTEN, REMOVED -> { }
        }
    }

    /**
     * The fetch failed: one waiter tries again (after {@link #MAX_FAILED_ROUNDS}, all fetch for themselves).
     * {@code heldToken}: the lease this pod still holds ({@code ""} for a local lead), handed to the next
     * waiter as it is, so the other pods keep waiting for this one; null when the failure was another
     * pod's, whose lease is gone and must be taken anew.
     */
    void retry(Flight f, boolean countFailure, String heldToken) {
        Participant next;
        synchronized (f) {
            if (countFailure) {
                f.failures++;
            }
            next = f.failures >= MAX_FAILED_ROUNDS ? null : f.poll();
            if (next != null) {
                f.state = Flight.State.ACQUIRING;
            }
        }
        if (next == null) {
            if (heldToken != null) {
                release(f, heldToken, Signal.FAILED); // others may try
            }
            finish(f, Alone.FAILED);
        } else if (heldToken != null) {
            lead(f, next, heldToken.isEmpty() ? null : heldToken, true);
        } else {
            acquire(f, next, true);
        }
    }

    /** Gives the flight's lease back with {@code signal}, without waiting (a local lead holds none: {@code ""}). */
    void release(Flight f, String token, Signal signal) {
        if (!token.isEmpty()) {
            leases.release(f.key, token, signal).subscribe().with(v -> { });
        }
    }

    /** A leader's report: a fetch taken over from a pod that went silent was carried out. */
    void tookOver() {
        listener.takeover();
    }

    /** A leader's report: the response may not be shared; the key skips coalescing a while. */
    void markUnshareable(Flight f) {
        unshareable.mark(f.key);
    }

    /** Ends the flight and releases its waiters: {@code why} null means filled. */
    void finish(Flight f, Alone why) {
        List<Participant> waiting;
        synchronized (f) {
            if (f.state == Flight.State.ENDED) {
                return;
            }
            if (why == null) {
                recentFills.filledNow(f.key);
            }
            waiting = end(f);
        }
        if (why == null) {
            if (!waiting.isEmpty()) {
                listener.saved(waiting.size());
            }
            waiting.forEach(Participant::filled);
        } else {
            waiting.forEach(p -> p.alone(why));
        }
    }

    /** Under the flight's lock: ends it and takes it out of the map; returns its waiters. */
    private List<Participant> end(Flight f) {
        flights.remove(f.key, f);
        return f.end();
    }

    /** Under the flight's lock: {@code p} waits, for the configured bound at most. */
    private void enqueue(Flight f, Participant p) {
        Waiter w = f.add(p);
        w.timer = vertx.setTimer(settings.waitTimeout().toMillis(), id -> timedOut(f, w));
    }

    private void timedOut(Flight f, Waiter w) {
        synchronized (f) {
            if (!f.waiters.remove(w)) {
                return;
            }
        }
        listener.waitTimedOut();
        w.participant.alone(Alone.WAIT_TIMED_OUT);
    }

    /**
     * At shutdown, after the drain: gives up every lease this pod still holds, signalled FAILED so that a waiting
     * pod takes the fetch over at once instead of waiting out the lease; this pod's flights end (their requests
     * were cut with the server). A lead that reports later finds its flight ended and releases nothing.
     */
    public Uni<Void> releaseAll() {
        List<Uni<Void>> releases = new ArrayList<>();
        for (Flight f : flights.values()) {
            String token;
            List<Participant> waiting;
            synchronized (f) {
                if (f.state == Flight.State.ENDED) {
                    continue;
                }
                token = f.state == Flight.State.LEADING ? f.token : null;
                waiting = end(f);
            }
            waiting.forEach(p -> p.alone(Alone.FAILED));
            if (token != null && !token.isEmpty()) {
                releases.add(leases.release(f.key, token, Signal.FAILED));
            }
        }
        return releases.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(releases).andCollectFailures().replaceWithVoid();
    }

    @Override
    public void close() {
        leases.close();
    }
}
