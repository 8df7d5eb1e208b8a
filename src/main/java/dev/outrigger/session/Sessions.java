package dev.outrigger.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.outrigger.coalesce.Alone;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Lead;
import dev.outrigger.coalesce.Participant;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.purge.Purges;
import dev.outrigger.store.CacheStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Token → session, resolved once for the whole deployment: this pod's memory, then Redis (shared by every replica),
 * then the resolver, one call per token across all replicas (the coalescer's lease and fill signal, as for
 * responses). Entries are kept under {@code session:} + SHA-256 of the token: never the token itself. A rejected
 * token is remembered for the negative ttl; an unavailable resolver never is.
 */
public final class Sessions {

    /** Clock leeway: a token is dropped this long before its {@code exp}. */
    static final Duration LEEWAY = Duration.ofSeconds(5);
    private static final int FORMAT = 1;

    private final SessionSettings settings;
    private final Resolver resolver;
    private final Optional<CacheStore> shared;
    private final Coalescer coalescer;
    private final PurgeBus purgeBus;
    private final Clock clock;
    private final Listener listener;
    private final Cache<String, Cached> local = Caffeine.newBuilder().maximumSize(100_000).build();

    /** What session lookups did, for meters; must not block. */
    public interface Listener {
        /** A lookup ended: {@code hit} (kept session), {@code miss} (resolved now), {@code invalid}, {@code error}. */
        default void lookup(String outcome) { }

        /** The resolver answered (or failed) after this long. */
        default void resolver(long nanos) { }

        Listener NONE = new Listener() { };
    }

    /** A resolution this pod holds, until {@code until}; {@code stamp}: when it was resolved (for revocations). */
    private record Cached(Resolution resolution, Instant until, Instant stamp) {}

    /** A kept resolution as Redis holds it. */
    private record Kept(Resolution resolution, Instant stamp) {}

    Sessions(SessionSettings settings, Resolver resolver, Optional<CacheStore> shared, Coalescer coalescer, PurgeBus purgeBus,
             Clock clock, Listener listener) {
        this.listener = listener;
        this.purgeBus = purgeBus;
        this.settings = settings;
        this.resolver = resolver;
        this.shared = shared;
        this.coalescer = coalescer;
        this.clock = clock;
    }

    /** Sessions resolved by the introspection endpoint of {@code settings}, through {@code client}. */
    public static Sessions introspecting(SessionSettings settings, io.vertx.ext.web.client.WebClient client, Optional<CacheStore> shared,
                                         Coalescer coalescer, PurgeBus purgeBus, Clock clock, Listener listener) {
        return new Sessions(settings, new IntrospectionResolver(client, settings.introspection().orElseThrow(), clock), shared, coalescer,
                purgeBus, clock, listener);
    }

    /** Sessions resolved as {@code settings} say: introspection or local JWT verification, through {@code client}. */
    public static Sessions of(SessionSettings settings, io.vertx.ext.web.client.WebClient client, Optional<CacheStore> shared,
                              Coalescer coalescer, PurgeBus purgeBus, Clock clock, Listener listener) {
        Resolver resolver = settings.jwt().isPresent() ? new JwtResolver(settings.jwt().get(), client, clock)
                : new IntrospectionResolver(client, settings.introspection().orElseThrow(), clock);
        return new Sessions(settings, resolver, shared, coalescer, purgeBus, clock, listener);
    }

    /** The purge tag that revokes the session kept under {@code key} on every replica. */
    static String tag(String key) {
        return key; // "session:<sha256>": the purge records carry it to every pod, as any tag purge
    }

    /**
     * Revokes the session of the token whose SHA-256 is {@code sha256} (hex) everywhere: removed from Redis, and
     * every replica's copy made dead by a purge of its tag (the purge broadcast and records, so a replica that
     * starts later or missed the message learns it too). Fails when the other replicas could not be told.
     */
    public Uni<Void> revoke(String sha256) {
        String key = "session:" + sha256.toLowerCase(java.util.Locale.ROOT);
        // the purge holds in this pod at once (and reaches the others): every copy resolved before now is dead
        Uni<Void> told = purgeBus.purge(new dev.outrigger.purge.Purge(java.util.List.of(), java.util.List.of(tag(key)),
                java.util.List.of(), false, false, 0));
        // then the token is remembered as revoked, stamped after the purge, for as long as a session could live: a
        // request with it is refused without asking the resolver, which may not know of the revocation yet
        Instant stamp = purgeBus.purges().stamp(clock.instant());
        return keep(key, new Resolution.Rejected("revoked"), settings.ttl(), stamp).chain(() -> told);
    }

    /** The SHA-256 (hex) a revocation names a token by. */
    public static String sha256(String token) {
        return key(token).substring("session:".length());
    }

    /** The key a token's session is kept under: SHA-256 of the token, hex. */
    static String key(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "session:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What {@code token} is; never fails. */
    public Uni<Resolution> resolve(String token) {
        String key = key(token);
        Resolution held = held(key);
        if (held != null) {
            return Uni.createFrom().item(counted(held, false));
        }
        long lookedUpAt = System.nanoTime(); // before the lookup: a fill landing after it is one this request missed
        return lookUp(key).flatMap(found -> {
            if (found.isPresent()) {
                return Uni.createFrom().item(counted(found.get(), false));
            }
            CompletableFuture<Resolution> answer = new CompletableFuture<>();
            Member p = new Member(key, token, answer);
            coalescer.join(key, lookedUpAt, p);
            return Uni.createFrom().completionStage(answer).map(r -> counted(r, p.resolvedHere));
        });
    }

    private Resolution counted(Resolution r, boolean resolvedHere) {
        listener.lookup(switch (r) {
            case Resolution.Active a -> resolvedHere ? "miss" : "hit";
            case Resolution.Rejected x -> "invalid";
            case Resolution.Unavailable u -> "error";
        });
        return r;
    }

    private Resolution held(String key) {
        Cached c = local.getIfPresent(key);
        if (c == null) {
            return null;
        }
        if (!clock.instant().isBefore(c.until()) || revoked(key, c.stamp())) {
            local.invalidate(key);
            return null;
        }
        return c.resolution();
    }

    /** A revocation (or a purge of everything) came after this resolution was made. */
    private boolean revoked(String key, Instant stamp) {
        return purgeBus.purges().check(null, "", java.util.List.of(tag(key)), stamp) == Purges.Verdict.HARD;
    }

    /** What Redis holds for the key (kept in this pod's memory as well); empty when nothing or Redis cannot say. */
    private Uni<Optional<Resolution>> lookUp(String key) {
        if (shared.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return shared.get().get(key)
                .map(entry -> entry.flatMap(e -> decode(e.value()).filter(k -> !revoked(key, k.stamp())).map(k -> {
                    local.put(key, new Cached(k.resolution(), clock.instant().plus(e.ttl()), k.stamp()));
                    return k.resolution();
                })))
                .onFailure().recoverWithItem(Optional.empty());
    }

    /** Asks the resolver and keeps what it says, when it says something about the token. */
    private Uni<Resolution> resolveAndKeep(String key, String token) {
        long started = System.nanoTime();
        // stamped before the resolver is asked: a revocation issued meanwhile reaches this resolution
        Instant stamp = purgeBus.purges().stamp(clock.instant());
        return resolver.resolve(token).invoke(r -> listener.resolver(System.nanoTime() - started)).flatMap(r -> {
            if (revoked(key, stamp)) {
                // revoked while the resolver was being asked: what it said is not to be kept, nor used
                return Uni.createFrom().item((Resolution) new Resolution.Rejected("revoked"));
            }
            Instant now = clock.instant();
            Duration life = switch (r) {
                case Resolution.Active a -> a.expires()
                        .map(exp -> Duration.between(now, exp.minus(LEEWAY)))
                        .filter(d -> d.compareTo(settings.ttl()) < 0).orElse(settings.ttl());
                case Resolution.Rejected x -> settings.negativeTtl();
                case Resolution.Unavailable u -> Duration.ZERO;
            };
            if (life.isNegative() || life.isZero()) {
                // the resolver's verdict stands (a JWT within its leeway); it is just not worth keeping
                return Uni.createFrom().item(r);
            }
            return keep(key, r, life, stamp).replaceWith(r);
        });
    }

    private Uni<Void> keep(String key, Resolution r, Duration life, Instant stamp) {
        local.put(key, new Cached(r, clock.instant().plus(life), stamp));
        if (shared.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return shared.get().put(key, encode(r, stamp), life).onFailure().recoverWithItem((Void) null);
    }

    static byte[] encode(Resolution r, Instant stamp) {
        JsonObject o = new JsonObject().put("v", FORMAT).put("at", stamp.getEpochSecond() * 1_000_000L + stamp.getNano() / 1000);
        switch (r) {
            case Resolution.Active a -> {
                o.put("session", a.session());
                a.expires().ifPresent(e -> o.put("exp", e.getEpochSecond()));
            }
            case Resolution.Rejected x -> o.put("rejected", x.why());
            case Resolution.Unavailable u -> throw new IllegalArgumentException("an unavailable resolver is never kept");
        }
        return o.encode().getBytes(StandardCharsets.UTF_8);
    }

    static Optional<Kept> decode(byte[] bytes) {
        try {
            JsonObject o = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
            if (o.getInteger("v", 0) != FORMAT) {
                return Optional.empty();
            }
            long at = o.getLong("at", 0L);
            Instant stamp = Instant.ofEpochSecond(Math.floorDiv(at, 1_000_000L), Math.floorMod(at, 1_000_000L) * 1000L);
            if (o.containsKey("rejected")) {
                return Optional.of(new Kept(new Resolution.Rejected(o.getString("rejected")), stamp));
            }
            JsonObject session = o.getJsonObject("session");
            if (session == null) {
                return Optional.empty();
            }
            Long exp = o.getLong("exp");
            return Optional.of(new Kept(new Resolution.Active(session, Optional.ofNullable(exp).map(Instant::ofEpochSecond)), stamp));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One request's part in the token's flight: lead the resolution, or take what the leader kept. */
    private final class Member implements Participant {
        private final String key;
        private final String token;
        private final CompletableFuture<Resolution> answer;
        /** This request asked the resolver itself (a miss, for the meters). */
        volatile boolean resolvedHere;

        Member(String key, String token, CompletableFuture<Resolution> answer) {
            this.key = key;
            this.token = token;
            this.answer = answer;
        }

        @Override
        public void lead(Lead lead, boolean lookFirst) {
            Uni<Optional<Resolution>> first = lookFirst ? lookUp(key) : Uni.createFrom().item(Optional.empty());
            first.subscribe().with(found -> {
                if (found.isPresent()) {
                    lead.foundFilled();
                    answer.complete(found.get());
                    return;
                }
                resolvedHere = true;
                resolveAndKeep(key, token).subscribe().with(r -> {
                    if (r instanceof Resolution.Unavailable) {
                        lead.failed(); // another waiter tries; nothing was kept
                    } else {
                        lead.filled();
                    }
                    answer.complete(r);
                });
            });
        }

        @Override
        public void filled() {
            Resolution mine = held(key);
            if (mine != null) {
                answer.complete(mine);
                return;
            }
            lookUp(key).subscribe().with(found -> {
                if (found.isPresent()) {
                    answer.complete(found.get());
                } else {
                    alone(Alone.FAILED);
                }
            });
        }

        @Override
        public void alone(Alone why) {
            resolvedHere = true;
            resolveAndKeep(key, token).subscribe().with(answer::complete);
        }

        @Override
        public boolean servedStale() {
            return false;
        }
    }
}
