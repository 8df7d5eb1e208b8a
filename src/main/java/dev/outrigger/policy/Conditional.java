package dev.outrigger.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Validation (RFC 9111 §4.3): conditional requests upstream, clients' conditionals answered from the cache, 304 merges. */
public final class Conditional {

    /** Stored fields a 304 must not replace (RFC 9111 §3.2): the body's own framing stays the stored one. */
    private static final String[] NOT_UPDATED = {"Content-Length", "Content-Encoding", "Transfer-Encoding", "Content-Range"};

    private Conditional() {}

    /**
     * Whether a response carries a validator a conditional request can use (RFC 9110 §8.8): an ETag, or a
     * Last-Modified that is a valid HTTP-date. Only such a response is worth keeping past its freshness.
     */
    public static boolean hasValidator(Headers response) {
        return response.contains("ETag") || response.first("Last-Modified").flatMap(HttpDate::parse).isPresent();
    }

    /** The validators a cache sends to revalidate a stored response (§4.3.1); empty when it has none. */
    public static Headers validatorsFor(Headers stored) {
        Headers h = Headers.EMPTY;
        Optional<String> etag = stored.first("ETag");
        if (etag.isPresent()) {
            h = h.with("If-None-Match", etag.get());
        }
        Optional<String> lastModified = stored.first("Last-Modified");
        if (lastModified.isPresent() && HttpDate.parse(lastModified.get()).isPresent()) {
            h = h.with("If-Modified-Since", lastModified.get());
        }
        return h;
    }

    /**
     * Whether a client's own conditional GET/HEAD is satisfied by the stored response, so the cache answers
     * 304 (RFC 9110 §13.1.2, §13.1.3, RFC 9111 §4.3.2). If-None-Match takes precedence over
     * If-Modified-Since; weak comparison is used. The list is split at commas, so an entity-tag with a
     * comma inside its quotes (legal, but not seen in practice) does not match.
     */
    public static boolean notModified(Headers request, Headers stored) {
        List<String> inm = request.all("If-None-Match");
        if (!inm.isEmpty()) {
            Optional<String> tag = stored.first("ETag").map(Conditional::opaque);
            for (String candidate : String.join(",", inm).split(",")) {
                String c = candidate.trim();
                // §13.1.2: "*" matches any current representation, with or without an ETag
                if (c.equals("*") || tag.isPresent() && !c.isEmpty() && opaque(c).equals(tag.get())) {
                    return true;
                }
            }
            return false;
        }
        Optional<Instant> ims = request.first("If-Modified-Since").flatMap(HttpDate::parse);
        if (ims.isEmpty()) {
            return false;
        }
        Optional<Instant> lastModified = stored.first("Last-Modified").flatMap(HttpDate::parse)
                .or(() -> stored.first("Date").flatMap(HttpDate::parse));
        return lastModified.isPresent() && !lastModified.get().isAfter(ims.get());
    }

    /** True when the request carries a conditional this cache evaluates itself (If-None-Match, If-Modified-Since). */
    public static boolean isConditionalRequest(Headers request) {
        return request.contains("If-None-Match") || request.contains("If-Modified-Since");
    }

    /** The stored headers updated by a 304 (RFC 9111 §4.3.4, §3.2): its fields replace the stored ones, body framing excepted. */
    public static Headers merge(Headers stored, Headers notModified) {
        Headers merged = stored;
        Headers update = notModified.without(NOT_UPDATED);
        Set<String> replaced = new HashSet<>();
        for (var field : update.fields()) {
            String name = field.getKey().toLowerCase(Locale.ROOT);
            if (replaced.add(name)) {
                merged = merged.without(field.getKey());
            }
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(merged.fields());
        fields.addAll(update.fields());
        return Headers.of(fields);
    }

    /** The opaque-tag of an entity-tag, weak indicator dropped (weak comparison, RFC 9110 §8.8.3.2). */
    private static String opaque(String entityTag) {
        String t = entityTag.trim();
        return t.startsWith("W/") ? t.substring(2) : t;
    }
}
