package dev.outrigger.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.outrigger.coalesce.LocalCopies;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.StoredResponseCodec;
import dev.outrigger.store.StoredValue;
import dev.outrigger.store.VariantIndex;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Stored values in this pod's memory (L1: decoded, typed, bounded in bytes) in front of the shared store
 * (L2: encoded bytes in Redis), or in memory alone. A copy confirmed by the shared store less than
 * {@code localBound} ago is used without asking; one confirmed less than twice the bound ago is used while
 * one background read (per key) confirms, replaces or drops it, so a hot key never waits for Redis; an older
 * one is confirmed before it is used. So a newer version written by another replica, whose announcement
 * this pod missed, replaces the copy within twice the bound at most. Confirming reads only the entry's
 * identity bytes. A copy is kept for the entry's whole life: while the shared store cannot answer (down,
 * slow, circuit open) it is what the pod serves, so a fresh copy is never lost to an outage or to the pod's
 * own load. Writes go to the shared store, then to memory.
 *
 * <p>Where the other replicas' announcements arrive in order ({@link #heartbeatWith}: one Redis server), the
 * pod also knows when it last heard all of them ({@link Heartbeats}). A copy a read confirmed and nothing
 * distrusted since is then as good as confirmed at that moment, and is used unasked while that moment is
 * less than the bound ago (within twice that while one background read confirms it); it is still confirmed
 * by itself every {@link #COVERED_BOUNDS} bounds, for writes whose announcement never went out (a write by
 * something else than a replica), which are then seen within that instead.
 */
public final class TieredResponses implements LocalCopies {

    /** What {@link #now} answers when memory alone is the store and it has nothing: a miss, known without I/O. */
    public static final Copy ABSENT = Copy.of(new VariantIndex(java.util.List.of()), 0, 0, new byte[0]);

    private final Cache<String, Copy> local;
    private final CacheStore shared;
    private final long localBoundMillis;
    /** False with the L1 turned off (a zero bound or size): nothing is kept in memory, not even for a moment. */
    private final boolean keepsCopies;
    private final Clock clock;
    /** The shared-store read under way per key (one at a time). */
    private final Map<String, Fill> filling = new ConcurrentHashMap<>();

    /** A copy the heartbeats vouch for is still confirmed by itself after this many bounds. */
    static final int COVERED_BOUNDS = 30;
    private final Heartbeats heartbeats;
    private final Removals removals;

    /**
     * A read under way; {@code distrusted}: another replica wrote the key meanwhile, so what it read may be older,
     * and goes into memory only as a copy to confirm before use.
     */
    private static final class Fill {
        Uni<Optional<Copy>> read;
        volatile boolean distrusted;
    }

    private TieredResponses(long localBytes, CacheStore shared, Duration localBound, Clock clock) {
        this.shared = shared;
        this.localBoundMillis = localBound.toMillis();
        this.heartbeats = new Heartbeats(localBoundMillis);
        this.removals = new Removals(clock);
        this.keepsCopies = localBytes > 0 && (shared == null || localBound.isPositive());
        this.clock = clock;
        this.local = Caffeine.newBuilder()
                .maximumWeight(Math.max(0, localBytes))
                .weigher((String k, Copy c) -> (int) Math.min(Integer.MAX_VALUE, 2L * k.length() + weight(c)))
                .expireAfter(new Expiry<String, Copy>() {
                    @Override
                    public long expireAfterCreate(String key, Copy c, long now) {
                        return Math.max(0, c.expiresAt() - clock.millis()) * 1_000_000L;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Copy c, long now, long remaining) {
                        return expireAfterCreate(key, c, now);
                    }

                    @Override
                    public long expireAfterRead(String key, Copy c, long now, long remaining) {
                        return remaining;
                    }
                })
                .ticker(() -> clock.millis() * 1_000_000L)
                .executor(Runnable::run) // maintenance on the caller: no hidden threads, deterministic in tests
                .build();
    }

    /** Memory alone: the pod's own cache of {@code bytes}. */
    public static TieredResponses memory(long bytes, Clock clock) {
        return new TieredResponses(bytes, null, Duration.ZERO, clock);
    }

    /**
     * Up to {@code localBytes} of copies in memory over {@code shared}; a copy is used unasked for
     * {@code localBound} after the shared store confirmed it. A zero bound (or size) keeps no copies.
     */
    public static TieredResponses over(CacheStore shared, long localBytes, Duration localBound, Clock clock) {
        return new TieredResponses(localBound.isPositive() ? localBytes : 0, shared, localBound, clock);
    }

    private static long weight(Copy c) {
        return c.servable() != null ? c.servable().weight() : 128L + 48L * ((VariantIndex) c.value()).variants().size();
    }

    /**
     * The copy to use now without any I/O: this pod's own (confirmed within the bound, or vouched for by a
     * heartbeat heard back within it; within twice that while one background read confirms it), or
     * {@link #ABSENT} when memory alone is the store and holds nothing; null when the shared store must be
     * asked first.
     */
    Copy now(String key) {
        Copy c = local.getIfPresent(key);
        if (shared == null) {
            return c == null || expired(c) ? ABSENT : c;
        }
        if (c == null || expired(c)) {
            return null;
        }
        long caughtUp = heartbeats.caughtUpTo(); // before the copy's mark (see Heartbeats.caughtUpTo)
        long confirmed = c.confirmedAt();
        long now = clock.millis();
        long unconfirmed = now - confirmed;
        if (unconfirmed < localBoundMillis) {
            return c;
        }
        long vouchedSince = heartbeats.vouchedSince(c, confirmed, caughtUp, now);
        if (vouchedSince < localBoundMillis && unconfirmed < COVERED_BOUNDS * localBoundMillis) {
            return c;
        }
        if (vouchedSince < 2 * localBoundMillis || unconfirmed < 2 * localBoundMillis) {
            // a copy in use: confirmed in the background, so that a hot key never waits for the shared store (nor
            // does every hot key at once when heartbeats come back late)
            if (!filling.containsKey(key)) {
                fill(key, false).subscribe().with(done -> { }, failed -> { });
            }
            return c;
        }
        // not used for a while: asked about first, so no copy is served unasked twice the bound after the later of
        // its confirmation and the last heartbeat that vouched for it
        return null;
    }

    /** Where the other replicas' announcements arrive in order: heartbeats go out through {@code send}. */
    @Override
    public void heartbeatWith(LongConsumer send) {
        if (shared != null && keepsCopies) {
            heartbeats.sendWith(send);
        }
    }

    @Override
    public void caughtUp(long stamp) {
        heartbeats.caughtUp(stamp);
    }

    /** The value under {@code key}: the confirmed local copy, or the shared store's (the local copy while it cannot answer). */
    public Uni<Optional<Copy>> get(String key) {
        Copy c = now(key);
        if (c != null) {
            return Uni.createFrom().item(c == ABSENT ? Optional.empty() : Optional.of(c));
        }
        return fill(key, true);
    }

    /**
     * One shared-store read per key at a time: when a hot key's copy needs confirming, every concurrent
     * request for it would otherwise read the same value at once. A copy held here is confirmed by its
     * identity bytes alone; the whole value is read only when it changed or nothing is held.
     */
    private Uni<Optional<Copy>> fill(String key, boolean waitedFor) {
        Fill underWay = filling.get(key);
        if (underWay != null) {
            if (waitedFor) {
                shared.hurry(); // it may be a confirmation no one waited for when it was asked: someone does now
            }
            return underWay.read;
        }
        return filling.computeIfAbsent(key, k -> {
            Fill self = new Fill();
            Copy held = local.getIfPresent(k);
            Uni<Optional<Copy>> read = (held != null && !expired(held) && held.identity().length > 0
                    ? confirm(k, held, held.confirmedAt(), self, waitedFor) : readWhole(k, self))
                    // The shared store cannot answer: this pod's copy, fresh or not, is judged by the policy, and
                    // asked about again after another bound rather than on every request meanwhile
                    .onFailure().recoverWithItem(failed -> {
                        Optional<Copy> current = Optional.ofNullable(local.getIfPresent(k)).filter(c -> !expired(c));
                        if (current.isPresent() && filling.get(k) == self) {
                            current.get().keptUnverified(current.get().confirmedAt(), clock.millis());
                        }
                        return current;
                    })
                    .onTermination().invoke(() -> filling.remove(k, self))
                    .memoize().indefinitely();
            self.read = read;
            return self;
        }).read;
    }

    /** Whether the read {@code self} is still the one filling the key (not overtaken by a write or a removal). */
    private boolean current(String key, Fill self) {
        return filling.get(key) == self;
    }

    /**
     * Confirms {@code held}, whose confirmation time was {@code seen} when the read began (a distrust since makes the
     * confirmation void). {@code waitedFor}: a request waits on it (else the copy is served meanwhile, and it may go
     * with others a little later).
     */
    private Uni<Optional<Copy>> confirm(String key, Copy held, long seen, Fill self, boolean waitedFor) {
        Uni<Optional<CacheStore.Entry>> read = waitedFor ? shared.readHead(key, StoredResponseCodec.IDENTITY_LENGTH)
                : shared.readHeadLater(key, StoredResponseCodec.IDENTITY_LENGTH);
        return read.chain(head -> {
            long now = clock.millis();
            if (head.isPresent() && java.util.Arrays.equals(head.get().value(), held.identity())) {
                if (current(key, self) && !self.distrusted) {
                    held.confirm(seen, now);
                }
                return Uni.createFrom().item(Optional.of(held));
            }
            return head.isEmpty() ? Uni.createFrom().item(install(key, Optional.empty(), now, self)) : readWhole(key, self);
        });
    }

    private Uni<Optional<Copy>> readWhole(String key, Fill self) {
        return shared.read(key).map(entry -> {
            long now = clock.millis();
            return install(key, entry.flatMap(e -> StoredResponseCodec.decodeAny(e.value())
                    .map(v -> Copy.of(v, now + e.ttl().toMillis(), now, StoredResponseCodec.identity(e.value()))))
                    // what a removal heard since removed, still there when its DEL never got to the store
                    .filter(c -> !(c.value() instanceof StoredResponse r && removals.undone(key, r))), now, self);
        });
    }

    /**
     * What the shared store answered goes into memory, unless the read was overtaken by a write or a removal
     * of the key (its value is older): it still answers the requests that asked. Overtaken by another
     * replica's write, it goes in as a copy to confirm before use (kept, so that it is there if the shared
     * store stops answering; confirmed, so that it is not served in place of the newer version).
     */
    private Optional<Copy> install(String key, Optional<Copy> found, long now, Fill self) {
        if (current(key, self)) {
            if (self.distrusted) {
                found.ifPresent(Copy::distrust);
            }
            // gone from the shared store (purged, replaced, expired): gone from memory too
            putLocal(key, found.orElse(null), found.map(c -> c.ttl(now)).orElse(Duration.ZERO));
            if (self.distrusted && found.isPresent()) {
                // distrusted between the check and the put: the copy just put is marked as well
                distrustHeld(key);
            }
            if (!current(key, self) && found.isPresent()) {
                // removed, dropped or all distrusted between the check and the put: what was just put goes again
                local.asMap().remove(key, found.get());
            }
        }
        return found;
    }

    /** Stores {@code value} for {@code ttl}: the shared store first (encoded), then memory. */
    Uni<Void> put(String key, StoredValue value, Duration ttl) {
        return put(key, value, ttl, null);
    }

    /**
     * As {@link #put(String, StoredValue, Duration)}, for a value fetched at {@code fetchedAt} (null: unconditionally):
     * not stored when {@code key} was removed after that (an invalidation must not be undone by a write that was on its
     * way). In memory the check and the write are one step against a removal; in the shared store a removal that
     * slips in between is made again once the write is done.
     */
    Uni<Void> put(String key, StoredValue value, Duration ttl, java.time.Instant fetchedAt) {
        if (fetchedAt != null && removals.since(key, fetchedAt)) {
            return Uni.createFrom().voidItem();
        }
        long now = clock.millis();
        if (shared == null) {
            putLocal(key, Copy.of(value, now + ttl.toMillis(), now, new byte[0]), ttl, fetchedAt);
            return Uni.createFrom().voidItem();
        }
        byte[] encoded = switch (value) {
            case StoredResponse r -> StoredResponseCodec.encode(r);
            case VariantIndex index -> StoredResponseCodec.encode(index);
        };
        Copy copy = Copy.written(value, now + ttl.toMillis(), now, StoredResponseCodec.identity(encoded));
        return shared.put(key, encoded, ttl).chain(() -> {
            filling.remove(key);
            if (fetchedAt != null && removals.since(key, fetchedAt)) {
                // removed while this write was on its way: it may have landed after the removal, so remove again
                local.invalidate(key);
                return shared.remove(key).replaceWithVoid();
            }
            putLocal(key, copy, ttl, fetchedAt);
            return Uni.createFrom().voidItem();
        });
    }

    private void putLocal(String key, Copy copy, Duration ttl) {
        putLocal(key, copy, ttl, null);
    }

    private void putLocal(String key, Copy copy, Duration ttl, java.time.Instant fetchedAt) {
        if (!ttl.isPositive() || !keepsCopies) {
            local.invalidate(key);
        } else if (fetchedAt == null) {
            local.put(key, copy);
        } else {
            // the check inside the map's step: remove() records the removal before it takes the key out
            local.asMap().compute(key, (k, old) -> removals.since(k, fetchedAt) ? old : copy);
        }
    }

    /**
     * What a removal did: {@code any}, something was removed (here or in the shared store); {@code announced}, the
     * shared store told the other pods with its DEL ({@link CacheStore#announcesWrites}), so nobody need tell them again.
     */
    record Removal(boolean any, boolean announced) {}

    /**
     * Removes the key from the shared store and memory. Never fails: a shared store that gave no answer (its circuit
     * open, the call timed out) reads as having removed nothing and announced nothing, though a timed-out DEL may
     * still land, and announce itself, later.
     */
    Uni<Removal> remove(String key) {
        removals.record(key);
        boolean here = local.asMap().remove(key) != null;
        if (shared == null) {
            return Uni.createFrom().item(new Removal(here, false));
        }
        return shared.removeAnswered(key).onItemOrFailure().transform((removed, failed) -> {
            filling.remove(key);
            local.invalidate(key);
            return failed == null ? new Removal(removed || here, shared.announcesWrites()) : new Removal(here, false);
        });
    }

    /**
     * Another replica wrote the key: this pod's copy is confirmed (by its identity bytes) before it is used
     * again, and replaced if it differs. It is not dropped: a signal that arrives after this pod has already
     * read the new version must not cost a read, and while the shared store cannot answer the copy is still
     * what the pod serves. A read in flight puts its (maybe older) value into memory as such a copy too.
     */
    @Override
    public void distrust(String key) {
        if (shared != null) {
            Fill inFlight = filling.get(key);
            if (inFlight != null) {
                inFlight.distrusted = true;
            }
            distrustHeld(key);
        }
    }

    /** Marks the copy held for {@code key}, if any, to be confirmed before its next use (not counted as a use of it). */
    private void distrustHeld(String key) {
        Copy c = local.policy().getIfPresentQuietly(key);
        if (c != null) {
            c.distrust();
        }
    }

    /** Another replica removed the key: this pod's copy goes too (it is not served even while Redis cannot be asked). */
    @Override
    public void forget(String key) {
        removals.record(key);
        if (shared != null) {
            drop(key);
        }
    }

    /** Forgets this pod's copy of the key, in memory alone too (a purge made it dead); the shared copy is untouched. */
    void drop(String key) {
        filling.remove(key);
        local.invalidate(key);
    }

    /** Every copy is confirmed before its next use (this pod may have missed word of newer versions). */
    @Override
    public void distrustAll() {
        if (shared != null) {
            filling.clear(); // reads in flight no longer find themselves in the map: they do not put their value back
            local.asMap().values().forEach(Copy::distrust);
        }
    }

    /** Whether the shared store announces each write to the other pods itself (see {@link CacheStore#announcesWrites}). */
    public boolean announcesWrites() {
        return shared != null && shared.announcesWrites();
    }

    /** Opens the shared store's connection before traffic starts (see {@link CacheStore#warmUp}). */
    public Uni<Void> warmUp(Duration patience) {
        return shared == null ? Uni.createFrom().voidItem() : shared.warmUp(patience);
    }

    /** Bytes the copies in memory weigh (for the L1 size meter). */
    public long localBytes() {
        return local.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    private boolean expired(Copy c) {
        return c.expiresAt() <= clock.millis();
    }
}
