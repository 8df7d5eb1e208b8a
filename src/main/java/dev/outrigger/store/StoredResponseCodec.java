package dev.outrigger.store;

import dev.outrigger.policy.Headers;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The versioned binary form of a {@link StoredResponse}, shared by every store and every replica:
 *
 * <pre>
 * "OR" version:u8 status:u16 requestTime:i64 responseTime:i64 (epoch ms) stamp:i64 (epoch µs)
 * tagCount:u16 { length:u16 tag }
 * headerCount:u16 { nameLength:u16 name valueLength:i32 value }  (UTF-8)
 * ruleLength:i32 (-1: none) rule   (the Cache-Control a route judges it by; version 3 on)
 * codingLength:u8 coding            (the coding this cache stored the body in; version 4, written only then)
 * bodyLength:i32 body
 * </pre>
 *
 * A {@link VariantIndex} is "OV", version, then its field names. Version 2 responses (no rule) are still read; a
 * response whose body this cache did not code is written as version 3, so replicas that predate version 4 read it.
 *
 * A value of another version, or a damaged one, decodes to empty: to the cache it is a miss, so a rolling
 * upgrade that changes the format costs misses, never errors.
 */
public final class StoredResponseCodec {

    /** The version of variant indexes, and of responses before route rules. */
    static final byte VERSION = 2;
    /** The version responses are written in. */
    static final byte RESPONSE_VERSION = 3;
    /** The version of responses whose body this cache coded (compressed) to store it. */
    static final byte CODED_VERSION = 4;
    private static final byte M0 = 'O';
    private static final byte M1 = 'R';
    private static final byte V1 = 'V';

    private StoredResponseCodec() {}

    public static byte[] encode(StoredResponse r) {
        List<byte[]> names = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        List<byte[]> tags = new ArrayList<>();
        byte[] rule = r.ruleCacheControl().map(cc -> cc.getBytes(StandardCharsets.UTF_8)).orElse(null);
        byte[] coding = r.storedCoding().map(c -> c.getBytes(StandardCharsets.US_ASCII)).orElse(null);
        if (coding != null && (coding.length == 0 || coding.length > 0xFF)) {
            throw new IllegalArgumentException("a stored coding is a short token");
        }
        int size = 2 + 1 + 2 + 8 + 8 + 8 + 2 + 2 + 4 + (rule == null ? 0 : rule.length) + (coding == null ? 0 : 1 + coding.length)
                + 4 + r.body().length;
        for (String t : r.tags()) {
            byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0xFFFF) {
                throw new IllegalArgumentException("tag longer than 65535 bytes");
            }
            tags.add(bytes);
            size += 2 + bytes.length;
        }
        if (tags.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many tags: " + tags.size());
        }
        for (Map.Entry<String, String> f : r.headers().fields()) {
            byte[] n = f.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = f.getValue().getBytes(StandardCharsets.UTF_8);
            names.add(n);
            values.add(v);
            size += 2 + n.length + 4 + v.length;
        }
        if (names.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many header fields: " + names.size());
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(M0).put(M1).put(coding == null ? RESPONSE_VERSION : CODED_VERSION);
        b.putShort((short) r.status());
        b.putLong(r.requestTime().toEpochMilli());
        b.putLong(r.responseTime().toEpochMilli());
        b.putLong(micros(r.stamp()));
        b.putShort((short) tags.size());
        for (byte[] t : tags) {
            b.putShort((short) t.length).put(t);
        }
        b.putShort((short) names.size());
        for (int i = 0; i < names.size(); i++) {
            b.putShort((short) names.get(i).length).put(names.get(i));
            b.putInt(values.get(i).length).put(values.get(i));
        }
        if (rule == null) {
            b.putInt(-1);
        } else {
            b.putInt(rule.length).put(rule);
        }
        if (coding != null) {
            b.put((byte) coding.length).put(coding);
        }
        b.putInt(r.body().length).put(r.body());
        return b.array();
    }

    /**
     * A variant index: "OV" version:u8 count:u16 { length:u16 field }, then (optional, absent in indexes
     * written before variants were counted) count:u16 { length:u16 id expiresAt:i64 }.
     */
    /**
     * Bytes at the start of an encoded response that identify its version: magic, format version, status,
     * request and response times and stamp. A stored response is never rewritten with the same ones (a
     * refresh or a new fetch has new times), so comparing them tells whether a copy is still current.
     */
    public static final int IDENTITY_LENGTH = 2 + 1 + 2 + 8 + 8 + 8;

    /** The identity bytes of an encoded response (empty for anything else, such as a variant index). */
    public static byte[] identity(byte[] encoded) {
        return encoded.length >= IDENTITY_LENGTH && encoded[0] == M0 && encoded[1] == M1
                ? java.util.Arrays.copyOf(encoded, IDENTITY_LENGTH) : new byte[0];
    }

    public static byte[] encode(VariantIndex index) {
        List<byte[]> names = new ArrayList<>();
        int size = 2 + 1 + 2 + 2;
        for (String f : index.fields()) {
            byte[] n = f.getBytes(StandardCharsets.UTF_8);
            names.add(n);
            size += 2 + n.length;
        }
        List<byte[]> ids = new ArrayList<>();
        for (VariantIndex.Variant v : index.variants()) {
            byte[] id = v.id().getBytes(StandardCharsets.UTF_8);
            ids.add(id);
            size += 2 + id.length + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(M0).put(V1).put(VERSION).putShort((short) names.size());
        for (byte[] n : names) {
            b.putShort((short) n.length).put(n);
        }
        b.putShort((short) ids.size());
        for (int i = 0; i < ids.size(); i++) {
            b.putShort((short) ids.get(i).length).put(ids.get(i)).putLong(index.variants().get(i).expiresAtMillis());
        }
        return b.array();
    }

    /** What a stored value is: a response, a variant index, or (empty) nothing this version can read. */
    public static Optional<StoredValue> decodeAny(byte[] bytes) {
        if (bytes.length >= 2 && bytes[0] == M0 && bytes[1] == V1) {
            return decodeIndex(bytes).map(StoredValue.class::cast);
        }
        return decode(bytes).map(StoredValue.class::cast);
    }

    static Optional<VariantIndex> decodeIndex(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != M0 || b.get() != V1 || b.get() != VERSION) {
                return Optional.empty();
            }
            int count = Short.toUnsignedInt(b.getShort());
            List<String> fields = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                fields.add(string(b, Short.toUnsignedInt(b.getShort())));
            }
            List<VariantIndex.Variant> variants = new ArrayList<>();
            if (b.hasRemaining()) {
                int n = Short.toUnsignedInt(b.getShort());
                for (int i = 0; i < n; i++) {
                    variants.add(new VariantIndex.Variant(string(b, Short.toUnsignedInt(b.getShort())), b.getLong()));
                }
            }
            return b.hasRemaining() ? Optional.empty() : Optional.of(new VariantIndex(fields, variants));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static Optional<StoredResponse> decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != M0 || b.get() != M1) {
                return Optional.empty();
            }
            byte version = b.get();
            if (version != VERSION && version != RESPONSE_VERSION && version != CODED_VERSION) {
                return Optional.empty();
            }
            int status = Short.toUnsignedInt(b.getShort());
            Instant requestTime = Instant.ofEpochMilli(b.getLong());
            Instant responseTime = Instant.ofEpochMilli(b.getLong());
            long stamp = b.getLong();
            int tagCount = Short.toUnsignedInt(b.getShort());
            List<String> tags = new ArrayList<>(tagCount);
            for (int i = 0; i < tagCount; i++) {
                tags.add(string(b, Short.toUnsignedInt(b.getShort())));
            }
            int count = Short.toUnsignedInt(b.getShort());
            List<Map.Entry<String, String>> fields = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = string(b, Short.toUnsignedInt(b.getShort()));
                String value = string(b, b.getInt());
                fields.add(Map.entry(name, value));
            }
            Optional<String> rule = Optional.empty();
            if (version >= RESPONSE_VERSION) {
                int ruleLength = b.getInt();
                if (ruleLength < -1) {
                    return Optional.empty();
                }
                if (ruleLength >= 0) {
                    rule = Optional.of(string(b, ruleLength));
                }
            }
            Optional<String> coding = Optional.empty();
            if (version == CODED_VERSION) {
                int codingLength = Byte.toUnsignedInt(b.get());
                if (codingLength == 0) {
                    return Optional.empty();
                }
                coding = Optional.of(string(b, codingLength));
            }
            int bodyLength = b.getInt();
            if (bodyLength < 0 || bodyLength != b.remaining()) {
                return Optional.empty();
            }
            byte[] body = new byte[bodyLength];
            b.get(body);
            return Optional.of(new StoredResponse(status, Headers.of(fields), body, requestTime, responseTime, tags,
                    Instant.ofEpochSecond(Math.floorDiv(stamp, 1_000_000L), Math.floorMod(stamp, 1_000_000L) * 1000L), rule, coding));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private static String string(ByteBuffer b, int length) {
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("field length out of range");
        }
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }
}
