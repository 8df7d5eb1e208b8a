package dev.outrigger.cache;

import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.ContentCoding;
import dev.outrigger.policy.Headers;
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
 * that sends it shares. A body this cache compressed to store it is served as stored (gzip, with the headers of
 * that representation) to a client that accepts gzip, and decompressed for one that does not ({@link #forRequest}).
 */
public final class Servable {

    public final StoredResponse response;
    public final CachePolicy.Stored policy;
    final List<String> varyFields;
    /**
     * The headers of the representation sent: the stored ones, or, for a body this cache coded, the coded
     * representation's (Content-Encoding, its length, a weak ETag, Vary: Accept-Encoding).
     */
    public final Headers headers;
    /** Header names and values alternating, {@code Age} left out (it is set per response). */
    private final AsciiString[] head;
    /** Null until first sent when it is decompressed on demand. */
    private volatile Buffer body;
    private final long length;
    private final Compression identity;
    /** For a copy whose body this cache coded: its decompressed view, once a client has needed it (weighed from the start). */
    private volatile Servable identityView;

    private Servable(StoredResponse response) {
        this(response, response.storedCoding().map(c -> coded(response.headers(), c, response.body().length))
                .orElse(response.headers()), null, null);
    }

    /**
     * {@code policy}: one already worked out for the same stored response (null: work it out); {@code identity}: the
     * bound to decompress the stored body with when this copy sends it decompressed (null: it sends it as stored).
     */
    private Servable(StoredResponse response, Headers headers, CachePolicy.Stored policy, Compression identity) {
        this.response = response;
        this.headers = headers;
        this.identity = identity;
        this.policy = policy != null ? policy
                : new CachePolicy.Stored(response.status(), response.policyHeaders(), Retention.timing(response));
        this.varyFields = Vary.fields(response.headers());
        List<Map.Entry<String, String>> fields = headers.fields();
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
        this.body = identity != null ? null : Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(response.body())));
        this.length = identity != null ? Compression.expandedSize(response.body()) : response.body().length;
    }

    public static Servable of(StoredResponse response) {
        return new Servable(response);
    }

    /**
     * What this copy sends to {@code request}: itself, unless its body is one this cache coded and the request does not
     * say it accepts that coding (or asks for no transformation, RFC 9111 §5.2.1.6); then the application's
     * representation: its headers with Vary: Accept-Encoding, the body decompressed (within the bound) only if it is
     * sent, its length from the gzip trailer for a HEAD or a 304. Empty when the stored body says it expands past the
     * bound.
     */
    public java.util.Optional<Servable> forRequest(Headers request, Compression compression) {
        if (response.storedCoding().isEmpty() || identity != null
                || ContentCoding.explicitlyAccepts(request, response.storedCoding().get()) && !noTransform(request)) {
            return java.util.Optional.of(this);
        }
        long expanded = Compression.expandedSize(response.body());
        if (expanded < 0 || expanded > compression.maxExpanded()) {
            return java.util.Optional.empty();
        }
        Servable view = identityView;
        if (view == null) {
            Headers origin = varied(response.headers());
            if (origin.contains("Content-Length")) {
                origin = origin.with("Content-Length", Long.toString(expanded));
            }
            view = new Servable(response, origin, policy, compression);
            identityView = view; // kept with this copy (two clients at once may both make one: either is the same)
        }
        return java.util.Optional.of(view);
    }

    private static boolean noTransform(Headers request) {
        return request.tokens("Cache-Control").stream().anyMatch(d -> d.startsWith("no-transform"));
    }

    /** It sends the stored body decompressed (decompressing when {@link #body} is first asked for). */
    public boolean decompresses() {
        return identity != null;
    }

    /** The headers of a body this cache coded with {@code coding}, {@code length} bytes once coded. */
    private static Headers coded(Headers origin, String coding, int length) {
        Headers h = origin.without("Content-Length").with("Content-Encoding", coding).with("Content-Length", Integer.toString(length));
        if (h.contains("ETag")) {
            h = h.with("ETag", Compression.weak(h.first("ETag").get()));
        }
        return varied(h);
    }

    /** The headers with Accept-Encoding in Vary: the representation sent depends on it. */
    private static Headers varied(Headers h) {
        List<String> vary = h.tokens("Vary");
        if (vary.stream().anyMatch(v -> v.equals("*") || v.equalsIgnoreCase("Accept-Encoding"))) {
            return h;
        }
        return h.with("Vary", vary.isEmpty() ? "Accept-Encoding" : String.join(", ", vary) + ", Accept-Encoding");
    }

    /** Adds the stored header fields (all but Age) to a response's headers. */
    public void addHead(MultiMap out) {
        for (int i = 0; i < head.length; i += 2) {
            out.add(head[i], head[i + 1]);
        }
    }

    /**
     * The body, for one response to send (decompressed now, within the bound, when this copy sends it decompressed).
     *
     * @throws Compression.Undecodable when the stored body does not decompress as its trailer says
     */
    public Buffer body() throws Compression.Undecodable {
        Buffer b = body;
        if (b == null) {
            b = Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(identity.decompress(response.body()))));
            body = b;
        }
        return b;
    }

    /** Whether {@link #body} is at hand (for a decompressed view: made already). */
    public boolean bodyReady() {
        return body != null;
    }

    /** The length of the body sent (for a decompressed one, as the gzip trailer gives it). */
    public int bodyLength() {
        return (int) length;
    }

    /**
     * Bytes this copy holds beyond its key, as weighed against the L1 size: body (and, for one this cache coded, the
     * decompressed body it may come to keep), head twice (strings and ASCII), bookkeeping.
     */
    long weight() {
        long headBytes = 0;
        for (AsciiString s : head) {
            headBytes += 3L * s.length() + 64; // the String (2 bytes a char), the AsciiString (1), objects
        }
        // a body this cache coded is weighed with its decompressed form, which clients that do not take gzip make it keep
        long expanded = response.storedCoding().isPresent() ? Math.max(0, Compression.expandedSize(response.body())) : 0;
        return response.body().length + expanded + headBytes + 256;
    }
}
