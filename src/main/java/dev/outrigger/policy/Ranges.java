package dev.outrigger.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Range requests answered from a stored full response (RFC 9110 §14). Only {@code bytes} ranges and only a
 * single range are served; anything else gets the whole representation, which a server is always allowed
 * to send instead (§14.2). The caller decides whether range handling applies at all: GET only (§14.2), and
 * a stored 200.
 */
public final class Ranges {

    /** What to send for a request's Range. Handled by an exhaustive switch. */
    public sealed interface Answer permits Full, Partial, Unsatisfiable {}

    /** Send the whole representation, as a 200 (no Range, one ignored, or If-Range did not match). */
    public record Full() implements Answer {}

    /** Send bytes {@code first..last} (inclusive) of {@code length}, as a 206 (§15.3.7). */
    public record Partial(long first, long last, long length) implements Answer {
        /** The Content-Range field value (§14.4). */
        public String contentRange() {
            return "bytes " + first + "-" + last + "/" + length;
        }
    }

    /** No requested range overlaps the representation: a 416 (§15.5.17). */
    public record Unsatisfiable(long length) implements Answer {
        /** The Content-Range field value a 416 carries (§14.4). */
        public String contentRange() {
            return "bytes */" + length;
        }
    }

    private static final Full FULL = new Full();

    /** A Last-Modified is a strong validator only when at least this long before the Date (§8.8.2.2). */
    private static final Duration STRONG_LAST_MODIFIED = Duration.ofSeconds(1);

    private Ranges() {}

    /** The answer to {@code request}'s Range for a stored response with headers {@code stored} and a body of {@code length} bytes. */
    public static Answer evaluate(Headers request, Headers stored, long length) {
        List<String> range = request.all("Range");
        if (range.size() != 1 || length <= 0) {
            return FULL; // no Range, a repeated one (a singleton field), or an empty body: nothing to cut
        }
        List<String> ifRange = request.all("If-Range");
        if (!ifRange.isEmpty() && !(ifRange.size() == 1 && ifRangeMatches(ifRange.get(0), stored))) {
            return FULL; // §13.1.5: the client's copy is not this one, so it needs all of it
        }
        Optional<List<Spec>> specs = parse(range.get(0));
        if (specs.isEmpty()) {
            return FULL; // §14.2: an invalid Range may be ignored
        }
        List<Partial> satisfiable = new ArrayList<>();
        for (Spec spec : specs.get()) {
            spec.resolve(length).ifPresent(satisfiable::add);
        }
        if (satisfiable.isEmpty()) {
            return new Unsatisfiable(length);
        }
        // several ranges would need multipart/byteranges; sending the whole is allowed (§14.2)
        return specs.get().size() == 1 ? satisfiable.get(0) : FULL;
    }

    /** One range-spec (§14.1.1). */
    private sealed interface Spec permits IntRange, SuffixRange {
        /** The bytes it selects of a representation of {@code length} bytes; empty when unsatisfiable. */
        Optional<Partial> resolve(long length);
    }

    /** {@code first-last} or {@code first-}: satisfiable when first is inside the representation. */
    private record IntRange(long first, OptionalLong last) implements Spec {
        @Override
        public Optional<Partial> resolve(long length) {
            if (first >= length) {
                return Optional.empty();
            }
            long end = last.isPresent() ? Math.min(last.getAsLong(), length - 1) : length - 1;
            return Optional.of(new Partial(first, end, length));
        }
    }

    /** {@code -n}: the last n bytes, or all of a shorter representation; -0 is unsatisfiable. */
    private record SuffixRange(long suffixLength) implements Spec {
        @Override
        public Optional<Partial> resolve(long length) {
            if (suffixLength == 0) {
                return Optional.empty();
            }
            return Optional.of(new Partial(Math.max(0, length - suffixLength), length - 1, length));
        }
    }

    /** The range-set of a {@code bytes} ranges-specifier; empty when it is another unit or invalid. */
    private static Optional<List<Spec>> parse(String value) {
        String v = value.trim();
        int eq = v.indexOf('=');
        if (eq < 0 || !v.substring(0, eq).equalsIgnoreCase("bytes")) {
            return Optional.empty(); // range units are case-insensitive (§14.1); only bytes is known
        }
        List<Spec> specs = new ArrayList<>();
        for (String element : v.substring(eq + 1).split(",", -1)) {
            String e = element.trim();
            if (e.isEmpty()) {
                continue; // empty list elements are ignored (§5.6.1)
            }
            int dash = e.indexOf('-');
            if (dash < 0) {
                return Optional.empty();
            }
            OptionalLong first = digits(e.substring(0, dash));
            String rest = e.substring(dash + 1);
            if (dash == 0) {
                OptionalLong suffix = digits(rest);
                if (suffix.isEmpty()) {
                    return Optional.empty();
                }
                specs.add(new SuffixRange(suffix.getAsLong()));
                continue;
            }
            if (first.isEmpty()) {
                return Optional.empty();
            }
            OptionalLong last = rest.isEmpty() ? OptionalLong.empty() : digits(rest);
            if (!rest.isEmpty() && (last.isEmpty() || last.getAsLong() < first.getAsLong())) {
                return Optional.empty(); // §14.1.1: last-pos before first-pos makes the range invalid
            }
            specs.add(new IntRange(first.getAsLong(), last));
        }
        return specs.isEmpty() ? Optional.empty() : Optional.of(specs);
    }

    /** 1*DIGIT; a number too large for a long is Long.MAX_VALUE (past any representation's end). */
    private static OptionalLong digits(String s) {
        if (s.isEmpty()) {
            return OptionalLong.empty();
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            n = n > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
        }
        return OptionalLong.of(n);
    }

    /**
     * If-Range (§13.1.5): an entity-tag must match the stored ETag by strong comparison (neither weak);
     * an HTTP-date must equal the stored Last-Modified exactly, and that must be a strong validator.
     */
    private static boolean ifRangeMatches(String value, Headers stored) {
        String v = value.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            Optional<String> etag = stored.first("ETag").map(String::trim);
            return !v.startsWith("W/") && etag.isPresent() && !etag.get().startsWith("W/") && etag.get().equals(v);
        }
        Optional<Instant> date = HttpDate.parse(v);
        Optional<Instant> lastModified = stored.first("Last-Modified").flatMap(HttpDate::parse);
        Optional<Instant> storedDate = stored.first("Date").flatMap(HttpDate::parse);
        return date.isPresent() && lastModified.isPresent() && storedDate.isPresent()
                && date.get().equals(lastModified.get())
                && !lastModified.get().plus(STRONG_LAST_MODIFIED).isAfter(storedDate.get());
    }
}
