package dev.outrigger.store;

import dev.outrigger.policy.Headers;
import java.time.Instant;
import java.util.Arrays;

/**
 * A response as kept in the cache: what the policy needs to judge it (status, headers, when it was
 * requested and received) and the body to serve.
 */
public record StoredResponse(int status, Headers headers, byte[] body, Instant requestTime, Instant responseTime)
        implements StoredValue {

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse s && status == s.status && headers.equals(s.headers)
                && Arrays.equals(body, s.body) && requestTime.equals(s.requestTime) && responseTime.equals(s.responseTime);
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
