package dev.outrigger.coalesce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Grant;
import dev.outrigger.coalesce.Leases.Held;
import dev.outrigger.coalesce.Leases.Local;
import dev.outrigger.coalesce.Leases.Signal;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
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

    /** Why a participant is told to fetch for itself. */
    public enum Alone {
        /** The response could not be given to others (private, no-store, Set-Cookie, too large, ...). */
        UNSHAREABLE,
        /** The participant waited its whole bound. */
        WAIT_TIMED_OUT,
        /** Fetches kept failing; a new one per request, as without coalescing. */
        FAILED
    }

    /** One request taking part in a flight. Callbacks come on any thread; each hops to its own. */
    public interface Participant {
        /**
         * Fetch for everyone and report through {@code lead}. {@code lookFirst}: look in the store before
         * fetching — the key may have been filled since this request's lookup (the previous lease holder
         * wrote it before releasing the lease this one just took, or its signal was lost).
         */
        void lead(Lead lead, boolean lookFirst);

        /** The fetch stored its response: look it up again. */
        void filled();

        /** Fetch for yourself, not coalesced. */
        void alone(Alone why);

        /**
         * Another request fetches the key: serve a stale copy now, if this request has one it may be given,
         * and say whether it did (it then leaves the flight).
         */
        boolean servedStale();
    }

    /** The leader's report. Only its first call counts. */
    public interface Lead {
        /** The response is in the store. */
        void filled();

        /**
         * Looking first, the leader found the key already filled (by the previous holder, whose signal had not
         * arrived yet): as {@link #filled}, but no fetch was taken over.
         */
        void foundFilled();

        /** The response may not be shared (waiters fetch for themselves; the key skips coalescing a while). */
        void unshareable();

        /** The fetch failed or was abandoned. */
        void failed();

        /** This participant cannot lead after all (its client left); another is asked, no failure counted. */
        void declined();
    }

    /** What the coalescer did, for meters; implementations must not block. */
    public interface Listener {
        /** A request waits for another's fetch. */
        default void waiting() { }

        /** A lease was taken in the shared store. */
        default void leaseTaken() { }

        /** A waiter took over the fetch after the previous holder failed or went silent. */
        default void takeover() { }

        /** A waiter ran out its bound and fetched for itself. */
        default void waitTimedOut() { }

        /** Requests answered without a fetch of their own: from another's fill, or stale while another fetched. */
        default void saved(int requests) { }

        Listener NONE = new Listener() { };
    }

    private enum State { ACQUIRING, LEADING, FOLLOWING, ENDED }

    private final Vertx vertx;
    private final Leases leases;
    private final CoalesceSettings settings;
    private final Listener listener;
    private final LocalCopies copies;
    private final Map<String, Flight> flights = new ConcurrentHashMap<>();
    /** Varnish's hit-for-miss: keys whose last response could not be shared; their misses are not coalesced. */
    private final Cache<String, Boolean> unshareable;
    /**
     * When keys were last filled (System.nanoTime): a request whose lookup missed just before a fill landed
     * would otherwise find no flight and fetch again.
     */
    private final Cache<String, Long> recentFills = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(10)).build();


    public Coalescer(Vertx vertx, Leases leases, CoalesceSettings settings, Clock clock, Listener listener,
                     LocalCopies copies) {
        this.vertx = vertx;
        this.leases = leases;
        this.settings = settings;
        this.listener = listener;
        this.copies = copies;
        this.unshareable = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(settings.hitForMiss())
                .ticker(() -> clock.millis() * 1_000_000L)
                .build();
        leases.listen(new Leases.Listener() {
            @Override
            public void heard(Signal signal, String key, boolean fromThisPod) {
                onSignal(signal, key, fromThisPod);
            }

            @Override
            public void mayHaveMissedSignals() {
                catchUp();
            }
        });
    }

    /**
     * Completes once other pods' signals reach this pod (at once without shared leases). Never fails and
     * does not complete while Redis is unreachable: bound it (the proxy serves without, as it does when
     * the subscription drops later).
     */
    /** The leases it coordinates with (the warmer's election takes one too). */
    public Leases leases() {
        return leases;
    }

    /** Whether its leases are shared with other replicas (Redis), rather than this pod's alone. */
    public boolean shared() {
        return leases != Leases.LOCAL;
    }

    public Uni<Void> whenListening() {
        return leases.whenListening();
    }

    public CoalesceSettings settings() {
        return settings;
    }

    /** Whether the key is in its hit-for-miss period. */
    public boolean knownUnshareable(String key) {
        return unshareable.getIfPresent(key) != null;
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
        if (unshareable.getIfPresent(key) != null) {
            p.alone(Alone.UNSHAREABLE);
            return;
        }
        while (true) {
            Flight f = flights.get(key);
            if (f == null) {
                // A finishing flight records its fill before it leaves the map, so this sees it.
                if (filledSince(key, lookedUpAt)) {
                    p.filled();
                    return;
                }
                Flight created = new Flight(key);
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
        if (filledSince(key, lookedUpAt)) {
            p.filled();
            return true;
        }
        return false;
    }

    private boolean filledSince(String key, long since) {
        Long at = recentFills.getIfPresent(key);
        return at != null && at - since >= 0;
    }

    /** False when the flight ended meanwhile. */
    private boolean await(Flight f, Participant p) {
        synchronized (f) {
            if (f.state == State.ENDED) {
                return false;
            }
        }
        if (p.servedStale()) {
            listener.saved(1);
            return true;
        }
        synchronized (f) {
            if (f.state == State.ENDED) {
                return false;
            }
            f.add(p);
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
        LeadImpl lead = null;
        synchronized (f) {
            if (f.state != State.ENDED) {
                lead = startLead(f, token, takeover);
            }
        }
        if (lead == null) {
            // the flight was ended (releaseAll at shutdown) while its lease was being taken: give it straight back
            if (token != null) {
                leases.release(f.key, token, Signal.FAILED).subscribe().with(v -> { });
            }
            p.alone(Alone.FAILED);
            return;
        }
        // A lease taken in Redis may be the one another pod has just released after filling the key.
        p.lead(lead, takeover || token != null);
    }

    /** Under the flight's lock: it is led, with {@code token} (null: a local lead). */
    private LeadImpl startLead(Flight f, String token, boolean takeover) {
        f.state = State.LEADING;
        f.token = token;
        f.pending = null; // a signal about an earlier holder's fetch says nothing about ours
        LeadImpl lead = new LeadImpl(f, ++f.round, takeover);
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
            f.state = State.FOLLOWING;
            if (!stale) {
                f.add(head);
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
            if (f.state != State.FOLLOWING) {
                return;
            }
            cancel(f.leaseTimer); // when called before its timer fired (catchUp)
            f.leaseTimer = -1;
            next = f.poll();
            if (next == null) {
                end(f); // nobody is waiting any more: the next request starts afresh
                return;
            }
            f.state = State.ACQUIRING;
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
            unshareable.put(key, Boolean.TRUE);
        } else if (signal == Signal.FILLED && !fromThisPod) {
            // (our own fills were recorded when they ended, and ours is the copy just written)
            copies.distrust(key);
            recentFills.put(key, System.nanoTime());
        }
        Flight f = flights.get(key);
        if (f != null) {
            onSignal(signal, f);
        }
    }

    private void onSignal(Signal signal, Flight f) {
        synchronized (f) {
            if (f.state == State.ACQUIRING) {
                f.pending = signal; // handled once we know whether we follow
                return;
            }
            if (f.state != State.FOLLOWING) {
                return; // we lead (or have ended): another pod's earlier fetch does not concern us
            }
            cancel(f.leaseTimer);
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
    private void retry(Flight f, boolean countFailure, String heldToken) {
        Participant next;
        synchronized (f) {
            if (countFailure) {
                f.failures++;
            }
            next = f.failures >= MAX_FAILED_ROUNDS ? null : f.poll();
            if (next != null) {
                f.state = State.ACQUIRING;
            }
        }
        if (next == null) {
            if (heldToken != null && !heldToken.isEmpty()) {
                leases.release(f.key, heldToken, Signal.FAILED).subscribe().with(v -> { }); // others may try
            }
            finish(f, Alone.FAILED);
        } else if (heldToken != null) {
            lead(f, next, heldToken.isEmpty() ? null : heldToken, true);
        } else {
            acquire(f, next, true);
        }
    }

    /** Ends the flight and releases its waiters: {@code why} null means filled. */
    private void finish(Flight f, Alone why) {
        List<Participant> waiting;
        synchronized (f) {
            if (f.state == State.ENDED) {
                return;
            }
            if (why == null) {
                recentFills.put(f.key, System.nanoTime());
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

    /** Under the flight's lock. */
    private List<Participant> end(Flight f) {
        f.state = State.ENDED;
        flights.remove(f.key, f);
        cancel(f.leaseTimer);
        cancel(f.extendTimer);
        cancel(f.leadTimer);
        List<Participant> waiting = new ArrayList<>(f.waiters.size());
        for (Waiter w : f.waiters) {
            cancel(w.timer);
            waiting.add(w.participant);
        }
        f.waiters.clear();
        return waiting;
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

    private void cancel(long timer) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
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
                if (f.state == State.ENDED) {
                    continue;
                }
                token = f.state == State.LEADING ? f.token : null;
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

    private static final class Waiter {
        final Participant participant;
        long timer = -1;

        Waiter(Participant participant) {
            this.participant = participant;
        }
    }

    /** One key's fetch in this pod; every field is guarded by the flight's lock. */
    private final class Flight {
        final String key;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        State state = State.ACQUIRING;
        String token;
        Signal pending;
        int round;
        int failures;
        long leaseTimer = -1;
        long extendTimer = -1;
        long leadTimer = -1;

        Flight(String key) {
            this.key = key;
        }

        void add(Participant p) {
            Waiter w = new Waiter(p);
            w.timer = vertx.setTimer(settings.waitTimeout().toMillis(), id -> timedOut(this, w));
            waiters.add(w);
        }

        /** The longest-waiting participant, taken out of the queue; null when none. */
        Participant poll() {
            Waiter w = waiters.poll();
            if (w == null) {
                return null;
            }
            cancel(w.timer);
            return w.participant;
        }
    }

    /** The report of one leading round; a round that was replaced (timed out) no longer counts. */
    private final class LeadImpl implements Lead {
        private final Flight f;
        private final int round;
        private final boolean takeover;

        LeadImpl(Flight f, int round, boolean takeover) {
            this.f = f;
            this.round = round;
            this.takeover = takeover;
        }

        /** The lease token when this call is the round's report ({@code ""} for a local lead), null when it is not. */
        private String resolve() {
            synchronized (f) {
                if (f.round != round || f.state != State.LEADING) {
                    return null;
                }
                f.state = State.ACQUIRING; // neither leading nor ended until the report is acted on
                cancel(f.extendTimer);
                cancel(f.leadTimer);
                f.extendTimer = -1;
                f.leadTimer = -1;
                return f.token == null ? "" : f.token;
            }
        }

        private void countTakeover(boolean declined) {
            if (takeover && !declined) {
                listener.takeover();
            }
        }

        /** Releases the lease (a held one) with {@code signal}; a takeover that was carried out is counted. */
        private void release(String token, Signal signal, boolean declined) {
            countTakeover(declined);
            if (!token.isEmpty()) {
                leases.release(f.key, token, signal).subscribe().with(v -> { });
            }
        }

        @Override
        public void filled() {
            String token = resolve();
            if (token != null) {
                release(token, Signal.FILLED, false);
                finish(f, null);
            }
        }

        @Override
        public void foundFilled() {
            String token = resolve();
            if (token != null) {
                release(token, Signal.FILLED, true); // not counted as a takeover: nothing was fetched
                finish(f, null);
            }
        }

        @Override
        public void unshareable() {
            String token = resolve();
            if (token != null) {
                unshareable.put(f.key, Boolean.TRUE);
                release(token, Signal.UNSHAREABLE, false);
                finish(f, Alone.UNSHAREABLE);
            }
        }

        @Override
        public void failed() {
            String token = resolve();
            if (token != null) {
                countTakeover(false);
                retry(f, true, token);
            }
        }

        @Override
        public void declined() {
            String token = resolve();
            if (token != null) {
                retry(f, false, token);
            }
        }
    }
}
