package dev.outrigger.store;

import dev.outrigger.policy.Headers;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A response as kept in the cache: what the policy needs to judge it (status, headers, when it was
 * requested and received), the body to serve, its purge tags, and its stamp: the time its fetch
 * started as purges see it (a purge issued after it invalidates it, one before does not).
 *
 * @param ruleCacheControl the Cache-Control the cache judges it by when a route rule set one (its ttl, ttl-mode,
 *     stale windows); empty: its own. Clients always see its own.
 * @param storedCoding the content coding this cache applied to the body to store it ({@code gzip}), the headers being
 *     the origin's for the body as it came; empty: the body is as the origin sent it
 */
public record StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime,
                             List<String> tags, Instant stamp, Optional<String> ruleCacheControl, Optional<String> storedCoding)
        implements StoredValue {

    public StoredResponse {
        tags = List.copyOf(tags);
    }

    /** Stored as the origin sent it. */
    public StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime,
                          List<String> tags, Instant stamp, Optional<String> ruleCacheControl) {
        this(status, headers, body, requestTime, responseTime, tags, stamp, ruleCacheControl, Optional.empty());
    }

    /** Judged by its own Cache-Control. */
    public StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime,
                          List<String> tags, Instant stamp) {
        this(status, headers, body, requestTime, responseTime, tags, stamp, Optional.empty());
    }

    /** Untagged, stamped when it was requested. */
    public StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime) {
        this(status, headers, body, requestTime, responseTime, List.of(), requestTime);
    }

    /** The same response with other headers. */
    public StoredResponse withHeaders(Headers replaced) {
        return new StoredResponse(status, replaced, body, requestTime, responseTime, tags, stamp, ruleCacheControl, storedCoding);
    }

    /** The same response judged by {@code rule} (empty: by its own Cache-Control). */
    public StoredResponse withRule(Optional<String> rule) {
        return new StoredResponse(status, headers, body, requestTime, responseTime, tags, stamp, rule, storedCoding);
    }

    /** The same response with {@code coded}, the body as this cache coded it with {@code coding}. */
    public StoredResponse withStoredBody(byte[] coded, Optional<String> coding) {
        return new StoredResponse(status, headers, coded, requestTime, responseTime, tags, stamp, ruleCacheControl, coding);
    }

    /** The headers the cache judges it by: its own, with the rule's Cache-Control in place of its own when there is one. */
    public Headers policyHeaders() {
        return ruleCacheControl.isEmpty() ? headers : headers.with("Cache-Control", ruleCacheControl.get());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse s && status == s.status && headers.equals(s.headers)
                && Arrays.equals(body, s.body) && requestTime.equals(s.requestTime) && responseTime.equals(s.responseTime)
                && tags.equals(s.tags) && stamp.equals(s.stamp) && ruleCacheControl.equals(s.ruleCacheControl)
                && storedCoding.equals(s.storedCoding);
    }

    @Override
    public int hashCode() {
        return 31 * headers.hashCode() + Arrays.hashCode(body) + status;
    }

    @Override
    public String toString() {
        return "StoredResponse[" + status + ", " + headers + ", " + body.length + " bytes, " + responseTime
                + ruleCacheControl.map(r -> ", judged by " + r).orElse("") + storedCoding.map(c -> ", stored " + c).orElse("") + "]";
    }
}
