package dev.outrigger.store;

import dev.outrigger.policy.Headers;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A response as kept in the cache: what the policy needs to judge it (status, headers, when it was
 * requested and received), the body to serve, its purge tags, and its stamp: the time its fetch
 * started as purges see it (a purge issued after it invalidates it, one before does not).
 */
public record StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime,
                             List<String> tags, Instant stamp) implements StoredValue {

    public StoredResponse {
        tags = List.copyOf(tags);
    }

    /** The same response with other headers. */
    public StoredResponse withHeaders(Headers replaced) {
        return new StoredResponse(status, replaced, body, requestTime, responseTime, tags, stamp);
    }

    /** Untagged, stamped when it was requested. */
    public StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime) {
        this(status, headers, body, requestTime, responseTime, List.of(), requestTime);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse s && status == s.status && headers.equals(s.headers)
                && Arrays.equals(body, s.body) && requestTime.equals(s.requestTime) && responseTime.equals(s.responseTime)
                && tags.equals(s.tags) && stamp.equals(s.stamp);
    }

    @Override
    public int hashCode() {
        return 31 * headers.hashCode() + Arrays.hashCode(body) + status;
    }

    @Override
    public String toString() {
        return "StoredResponse[" + status + ", " + headers + ", " + body.length + " bytes, " + responseTime + "]";
    }
}
