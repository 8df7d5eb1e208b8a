package dev.outrigger.proxy;

import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.Vary;
import dev.outrigger.store.StoredResponse;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * A stored response as this pod keeps it in memory: decoded once, with everything a hit reads worked out
 * then (DESIGN rule 14): the policy's view with its parsed Cache-Control and initial age, the fields it
 * varies on, the head as pre-hashed ASCII strings, and the body as one read-only buffer every response
 * that sends it shares.
 */
final class Servable {

    final StoredResponse response;
    final CachePolicy.Stored policy;
    final List<String> varyFields;
    /** Header names and values alternating, {@code Age} left out (it is set per response). */
    private final AsciiString[] head;
    private final Buffer body;

    private Servable(StoredResponse response) {
        this.response = response;
        this.policy = new CachePolicy.Stored(response.status(), response.policyHeaders(), Retention.timing(response));
        this.varyFields = Vary.fields(response.headers());
        List<Map.Entry<String, String>> fields = response.headers().fields();
        AsciiString[] pairs = new AsciiString[fields.size() * 2];
        int n = 0;
        for (Map.Entry<String, String> f : fields) {
            if (!f.getKey().equalsIgnoreCase("Age")) {
                pairs[n++] = new AsciiString(f.getKey());
                pairs[n++] = new AsciiString(f.getValue());
            }
        }
        this.head = n == pairs.length ? pairs : java.util.Arrays.copyOf(pairs, n);
        // the stored array is never written to: wrapped, not copied; each send takes its own slice
        this.body = Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(response.body())));
    }

    static Servable of(StoredResponse response) {
        return new Servable(response);
    }

    /** Adds the stored header fields (all but Age) to a response's headers. */
    void addHead(MultiMap out) {
        for (int i = 0; i < head.length; i += 2) {
            out.add(head[i], head[i + 1]);
        }
    }

    /** The body, for one response to send. */
    Buffer body() {
        return body;
    }

    int bodyLength() {
        return response.body().length;
    }

    /** Bytes this copy holds beyond its key, as weighed against the L1 size: body, head twice (strings and ASCII), bookkeeping. */
    long weight() {
        long headBytes = 0;
        for (AsciiString s : head) {
            headBytes += 3L * s.length() + 64; // the String (2 bytes a char), the AsciiString (1), objects
        }
        return response.body().length + headBytes + 256;
    }
}
