package dev.outrigger.proxy;

import dev.outrigger.cache.CacheHeaders;
import dev.outrigger.cache.Compression;
import dev.outrigger.cache.Servable;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.policy.Conditional;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.Ranges;
import dev.outrigger.store.StoredResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Writes a stored response to a client: the whole of it, a 304 for its conditional, a range, or only the head. */
final class StoredResponseWriter {

    /** Fields a 304 from the cache carries (RFC 9110 §15.4.5). */
    private static final List<String> NOT_MODIFIED_FIELDS =
            List.of("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary", "Last-Modified");

    /** The names and fixed values every hit writes, pre-encoded once (DESIGN rule 14). */
    private static final CharSequence AGE = HttpHeaders.createOptimized("Age");
    private static final CharSequence X_CACHE = HttpHeaders.createOptimized(CacheHeaders.X_CACHE);
    private static final CharSequence CACHE_STATUS = HttpHeaders.createOptimized(CacheHeaders.CACHE_STATUS);
    private static final CharSequence HIT = HttpHeaders.createOptimized("HIT");
    private static final CharSequence STALE = HttpHeaders.createOptimized("STALE");

    private final Meters meters;
    private final boolean debugHeaders;
    private final Compression compression;

    StoredResponseWriter(Meters meters, boolean debugHeaders, Compression compression) {
        this.meters = meters;
        this.debugHeaders = debugHeaders;
        this.compression = compression;
    }

    /** Serves a stored response not kept in memory (a 304-refreshed or a stale one): prepared for this one answer. */
    void serve(HttpServerRequest req, Inbound inbound, Headers request, StoredResponse stored, Duration age, CacheOutcome outcome,
               String cacheStatus) {
        serve(req, inbound, request, Servable.of(stored), age, outcome, cacheStatus);
    }

    /**
     * Serves a stored response: Age, cache headers, a 304 for a client's satisfied conditional, no body for HEAD. A body
     * this cache compressed goes as stored to a client that accepts gzip and decompressed to one that does not; the
     * conditional, the range and HEAD are answered for the representation that client gets.
     */
    void serve(HttpServerRequest req, Inbound inbound, Headers request, Servable stored, Duration age, CacheOutcome outcome,
               String cacheStatus) {
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        req.resume(); // a GET body, if any, is read and dropped
        Optional<Servable> sendable = stored.forRequest(request, compression);
        if (sendable.isEmpty()) {
            // a lookup turns such an entry into a miss; only a copy served another way (a stale one) gets here
            undecodable(req, inbound, "it expands past the bound");
            return;
        }
        Servable copy = sendable.get();
        Headers headers = copy.headers;
        int status = copy.response.status();
        MultiMap out = resp.headers();
        boolean notModified = status == 200 && Conditional.isConditionalRequest(request) && Conditional.notModified(request, headers);
        // RFC 9110 §14.2: Range is defined for GET only, and served here from a complete stored 200
        Ranges.Answer range = !notModified && status == 200 && req.method() == HttpMethod.GET
                && request.contains("Range") ? Ranges.evaluate(request, headers, copy.bodyLength())
                : new Ranges.Full();
        if (notModified) {
            resp.setStatusCode(304);
            for (String field : NOT_MODIFIED_FIELDS) {
                headers.all(field).forEach(v -> out.add(field, v));
            }
        } else if (range instanceof Ranges.Unsatisfiable u) {
            resp.setStatusCode(416); // §15.5.17
            out.set("Content-Range", u.contentRange());
            out.set(HttpHeaders.CONTENT_LENGTH, "0");
        } else {
            resp.setStatusCode(range instanceof Ranges.Partial ? 206 : status);
            copy.addHead(out);
        }
        out.set(AGE, Long.toString(age.toSeconds())); // RFC 9111 §5.1
        out.set(X_CACHE, outcome == CacheOutcome.STALE ? STALE : HIT);
        out.set(CACHE_STATUS, debugHeaders
                ? CacheHeaders.debug(cacheStatus, inbound.route().name(), inbound.key()) : cacheStatus);
        Buffer body = null;
        boolean sendsBody = !notModified && !(range instanceof Ranges.Unsatisfiable) && req.method() != HttpMethod.HEAD;
        if (sendsBody) {
            boolean inflates = copy.decompresses() && !copy.bodyReady();
            try {
                body = copy.body(); // decompressed here, once per copy, when it is sent decompressed: not for a HEAD or a 304
            } catch (Compression.Undecodable e) {
                out.clear();
                undecodable(req, inbound, e.getMessage());
                return;
            }
            if (inflates) {
                meters.decompressed();
            }
        }
        inbound.trace().outcome(meters, inbound.route().name(), outcome);
        if (notModified || range instanceof Ranges.Unsatisfiable) {
            resp.end();
        } else if (range instanceof Ranges.Partial p) {
            out.set("Content-Range", p.contentRange());
            int length = (int) (p.last() - p.first() + 1);
            out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(length));
            resp.end(body.slice((int) p.first(), (int) p.first() + length));
        } else if (req.method() == HttpMethod.HEAD) {
            if (!out.contains(HttpHeaders.CONTENT_LENGTH)) {
                out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(copy.bodyLength()));
            }
            resp.end();
        } else {
            resp.end(body);
        }
    }

    /** A stored body that does not decompress (damaged, or past the bound): never sent; the client gets a 502. */
    private void undecodable(HttpServerRequest req, Inbound inbound, String why) {
        meters.undecodable();
        inbound.trace().outcome(meters, inbound.route().name(), CacheOutcome.ERROR);
        ErrorResponse.send(req, 502, "the stored response could not be decompressed: " + why, false);
    }
}
