package dev.outrigger.cache;

import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.Conditional;
import dev.outrigger.policy.ContentCoding;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.HttpDate;
import dev.outrigger.policy.Vary;
import dev.outrigger.purge.Tags;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.VariantIndex;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Responses in the store: looked up (through the variant index, for a request that accepts their coding),
 * written after the client has them (variants capped, other replicas told), refreshed by a 304, removed.
 * Never fails: a store error is a miss, or a write not made.
 */
public final class StoredResponses {

    private static final Logger LOG = Logger.getLogger(StoredResponses.class);

    private final TieredResponses store;
    private final CacheSettings settings;
    private final Retention retention;
    private final Coalescer coalescer;
    private final Meters meters;
    private final Clock clock;

    public StoredResponses(TieredResponses store, CacheSettings settings, Retention retention, Coalescer coalescer, Meters meters,
                    Clock clock) {
        this.store = store;
        this.settings = settings;
        this.retention = retention;
        this.coalescer = coalescer;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * What a lookup found: the stored response the request selects (if any, and if the request accepts its
     * coding), and the request fields the URL's responses vary on (known from its variant index even when
     * this request's variant is missing: they are part of the key, so a fetch for it may carry them).
     */
    public record Found(Optional<Servable> copy, List<String> varyFields) {
        public static final Found NOTHING = new Found(Optional.empty(), List.of());

        public Optional<StoredResponse> response() {
            return copy.map(c -> c.response);
        }
    }

    public Uni<Optional<StoredResponse>> lookup(String key, Headers request) {
        return find(key, request).map(Found::response);
    }

    /** What this pod's own copies answer now, without I/O; null when the shared store must be asked. */
    public Found findNow(String key, Headers request) {
        Copy top = store.now(key);
        if (top == null || top == TieredResponses.ABSENT) {
            return top == null ? null : Found.NOTHING;
        }
        return switch (top.value()) {
            case StoredResponse r -> found(top, request, top.servable().varyFields);
            case VariantIndex index -> {
                String id = Variants.variantId(index.fields(), request);
                if (!listed(index, id)) {
                    yield new Found(Optional.empty(), index.fields());
                }
                Copy variant = store.now(Variants.variantKey(key, id));
                yield variant == null ? null : found(variant, request, index.fields());
            }
        };
    }

    public Uni<Found> find(String key, Headers request) {
        Found now = findNow(key, request);
        if (now != null) {
            return Uni.createFrom().item(now);
        }
        return store.get(key).chain(top -> {
            if (top.isEmpty()) {
                return Uni.createFrom().item(Found.NOTHING);
            }
            return switch (top.get().value()) {
                case StoredResponse r -> Uni.createFrom().item(found(top.get(), request, top.get().servable().varyFields));
                case VariantIndex index -> {
                    String id = Variants.variantId(index.fields(), request);
                    yield !listed(index, id) ? Uni.createFrom().item(new Found(Optional.empty(), index.fields()))
                            : store.get(Variants.variantKey(key, id)).map(variant -> variant.map(v -> found(v, request, index.fields()))
                                    .orElse(new Found(Optional.empty(), index.fields())));
                }
            };
        });
    }

    /**
     * Whether the index lists the variant, unexpired: one it does not list is a leftover of an invalidated
     * URL (the index went, its variants stayed until their own expiry) or of a response that varied otherwise.
     */
    private boolean listed(VariantIndex index, String id) {
        long now = clock.millis();
        for (VariantIndex.Variant v : index.variants()) {
            if (v.id().equals(id) && v.expiresAtMillis() > now) {
                return true;
            }
        }
        return false;
    }

    /**
     * The response a copy holds, if it is one and the request accepts its coding; with the URL's Vary fields. A body
     * this cache compressed is decompressed here for a request that does not accept gzip; one that would expand past
     * the bound is not there (a miss: the upstream's answer replaces it).
     */
    private Found found(Copy copy, Headers request, List<String> varyFields) {
        if (copy == TieredResponses.ABSENT || !(copy.value() instanceof StoredResponse r)) {
            return new Found(Optional.empty(), varyFields);
        }
        if (!acceptable(request, r)) {
            return new Found(Optional.empty(), varyFields);
        }
        Optional<Servable> sent = copy.servable().forRequest(request, settings.compression());
        if (sent.isEmpty()) {
            meters.undecodable(); // it says it expands past the bound: a miss, the application's answer replaces it
        }
        return new Found(sent, varyFields);
    }

    /**
     * RFC 9110 §12.5.3: a stored body goes only to a request that accepts its Content-Encoding; for any
     * other request it is not there (another variant, or a miss).
     */
    static boolean acceptable(Headers request, StoredResponse stored) {
        // a body this cache coded is decompressed for a request that does not take the coding
        return stored.storedCoding().isPresent() || ContentCoding.acceptable(request, stored.headers());
    }

    /**
     * Stores a response (and, when it varies, its variant index), after the client has it; a compressible body as it
     * came is compressed first, on a worker thread (CPU the event loop does not spend). Never fails.
     */
    public Uni<Void> put(String key, Headers request, StoredResponse response) {
        Compression compression = settings.compression();
        if (response.storedCoding().isEmpty() && compression.worthCompressing(response.headers(), response.body().length)) {
            return Uni.createFrom().item(() -> compressed(response, compression))
                    .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                    .onFailure().recoverWithItem(failed -> {
                        LOG.debugf("compressing %s failed, stored as it came: %s", key, failed);
                        return response;
                    })
                    .chain(coded -> write(key, request, coded));
        }
        return write(key, request, response);
    }

    /** The response with its body gzip-compressed, when that saves at least a tenth; else as it is. */
    private StoredResponse compressed(StoredResponse response, Compression compression) {
        byte[] body = response.body();
        byte[] gz = compression.compress(body);
        if (gz.length > body.length - body.length / 10) {
            meters.compression(body.length, body.length);
            return response; // does not compress: kept as it came
        }
        meters.compression(body.length, gz.length);
        return response.withStoredBody(gz, Optional.of(Compression.GZIP));
    }

    private Uni<Void> write(String key, Headers request, StoredResponse response) {
        // invalidated after this was fetched (a POST, a removal heard from another replica), maybe while it was
        // compressed: what was fetched before that is not written back (the store checks, as one step with the write)
        java.time.Instant fetchedAt = response.requestTime();
        // A Set-Cookie is for the client that caused the fetch; a stored copy never carries one. Tags are
        // kept apart from the headers, which lose them when clients are not to see them.
        Headers headers = response.headers().without(CacheHeaders.X_CACHE, CacheHeaders.CACHE_STATUS, "Set-Cookie");
        if (settings.stripTagHeaders()) {
            headers = headers.without(settings.tagHeaders().toArray(String[]::new));
        }
        StoredResponse clean = new StoredResponse(response.status(), headers, response.body(), response.requestTime(),
                response.responseTime(), response.tags(), response.stamp(), response.ruleCacheControl(), response.storedCoding());
        Duration ttl = retention.timeToLive(clean.status(), clean.policyHeaders(), Retention.timing(clean), clock.instant());
        if (!ttl.isPositive()) {
            return Uni.createFrom().voidItem();
        }
        if (ttl.compareTo(settings.maxTtl()) > 0) {
            ttl = settings.maxTtl(); // purge records are kept this long: nothing may outlive them
        }
        Duration keep = ttl;
        List<String> fields = Vary.fields(headers);
        String written = fields.isEmpty() ? key : Variants.variantKey(key, fields, request);
        Uni<Void> write = fields.isEmpty()
                ? store.put(key, clean, keep, fetchedAt)
                : store.get(key).chain(entry -> {
                    long now = clock.millis();
                    Optional<VariantIndex> index = Variants.withVariant(entry.map(Copy::value), fields,
                            Variants.variantId(fields, request), now + keep.toMillis(), now, settings.maxVariants());
                    if (index.isEmpty()) {
                        meters.variantsCapped();
                        return Uni.createFrom().voidItem(); // served, not stored: the URL has its fill of variants
                    }
                    Duration indexTtl = entry.map(e -> e.ttl(now)).filter(t -> t.compareTo(keep) > 0).orElse(keep);
                    return store.put(key, index.get(), indexTtl, fetchedAt).chain(() -> store.put(written, clean, keep, fetchedAt));
                });
        return write.invoke(() -> {
            // other replicas drop their in-process copies of what was just replaced (a store that announces each write
            // in the same step has: see CacheStore.announcesWrites)
            if (!store.announcesWrites()) {
                coalescer.announceWrite(key);
                if (!written.equals(key)) {
                    coalescer.announceWrite(written);
                }
            }
        }).onFailure().recoverWithItem(failed -> {
            LOG.debugf("cache write for %s failed: %s", key, failed);
            return null;
        });
    }

    /**
     * Removes a key (a variant index takes its variants with it) and tells the other replicas, once: through the
     * store's own announcement when it answered, else here, for a removal the store skipped (its circuit open) or
     * that timed out must still take the other replicas' copies out at once (the store's own announcement follows
     * if it lands). Never fails.
     */
    public Uni<Void> invalidate(String key) {
        return store.remove(key).invoke(removal -> {
                    if (!removal.announced()) {
                        coalescer.announceRemoval(key);
                    }
                }).replaceWithVoid()
                .onFailure().recoverWithItem(failed -> {
                    LOG.debugf("invalidation of %s failed: %s", key, failed);
                    return null;
                });
    }

    /** Removes the stored response {@code request} selected (its variant, or the key itself). */
    public void dropVariant(String key, StoredResponse stored, Headers request) {
        List<String> fields = Vary.fields(stored.headers());
        invalidate(fields.isEmpty() ? key : Variants.variantKey(key, fields, request)).subscribe().with(ok -> { });
    }

    /**
     * Forgets this pod's copy of a response a purge made dead: the next lookup reads what another replica
     * may have stored since (or, in memory alone, finds nothing). A variant index stays in memory alone: its
     * other variants may not be purged.
     */
    public void dropPurged(String key, Headers request, StoredResponse found) {
        List<String> fields = Vary.fields(found.headers());
        if (fields.isEmpty()) {
            store.drop(key);
        } else {
            store.distrust(key);
            store.drop(Variants.variantKey(key, fields, request));
        }
    }

    /**
     * Copies the body while it streams and stores the response (with its tags) once it ended; then
     * {@code filled}, or {@code notShared} when it was too large or may only be revalidated, not reused.
     */
    public BodyCapture capture(String key, Headers request, int status, Headers headers, Instant requestTime,
                             Instant responseTime, Instant stamp, Optional<String> rule, List<String> routeTags,
                             Runnable filled, Runnable notShared) {
        List<String> tags = Tags.of(headers, settings.tagHeaders());
        if (!routeTags.isEmpty()) {
            tags = java.util.stream.Stream.concat(tags.stream(), routeTags.stream()).distinct().toList();
        }
        List<String> allTags = tags;
        meters.captured();
        Runnable stored = retention.reusable(status, Retention.judged(headers, rule), new Freshness.Timing(requestTime, responseTime))
                ? filled : notShared;
        return new BodyCapture(settings.maxObjectSize(),
                body -> put(key, request, new StoredResponse(status, headers, body, requestTime, responseTime, allTags, stamp, rule))
                        .subscribe().with(ok -> stored.run()),
                notShared);
    }

    /**
     * RFC 9111 §4.3.4: the stored response with the 304's end-to-end headers ({@code notModified}); its tags
     * kept, stamped anew. Judged by its own new headers: the caller applies the route's rule to them.
     */
    public StoredResponse refreshed(StoredResponse stored, Headers notModified, Instant requestTime, Instant stamp) {
        Headers merged = Conditional.merge(stored.headers(), notModified);
        if (!merged.contains("Date")) {
            merged = merged.with("Date", HttpDate.format(clock.instant()));
        }
        return new StoredResponse(stored.status(), merged, stored.body(), requestTime, clock.instant(), stored.tags(), stamp,
                Optional.empty(), stored.storedCoding());
    }

    /** Removes the purge-tag headers from what a client is about to see, unless configured to keep them. */
    public void stripTagHeaders(MultiMap out) {
        if (settings.stripTagHeaders()) {
            for (String field : settings.tagHeaders()) {
                out.remove(field);
            }
        }
    }
}
