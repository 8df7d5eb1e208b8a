package dev.outrigger.cache;

import dev.outrigger.policy.Headers;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import dev.outrigger.rules.Globs;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * Compressed storage: which responses are stored gzip-compressed (an allowlist of content types, a minimum size, not
 * already coded by the origin), the compression itself, and the bounded decompression for clients that do not accept
 * gzip. Pure: no I/O, no clock; compressing is CPU work the caller keeps off the event loop.
 *
 * @param enabled compress at all
 * @param types content types stored compressed: exact ({@code application/json}) or with a {@code *} glob
 *     ({@code text/*}, {@code application/*+json})
 * @param minSize the smallest body compressed, in bytes
 * @param maxExpanded the largest a stored body may expand to when decompressed; a body that would expand further is
 *     not served from the cache
 * @param level the gzip level, 1 (fastest) to 9 (smallest)
 */
public record Compression(boolean enabled, List<String> types, long minSize, long maxExpanded, int level) {

    /** The coding stored bodies are compressed with. */
    public static final String GZIP = "gzip";

    public static final List<String> DEFAULT_TYPES = List.of("text/*", "application/json", "application/*+json",
            "application/javascript", "application/xml", "application/*+xml", "image/svg+xml");

    public static final Compression DEFAULT = new Compression(true, DEFAULT_TYPES, 1024, 16L << 20, 6);
    public static final Compression OFF = new Compression(false, DEFAULT_TYPES, 1024, 16L << 20, 6);

    /** A stored body that would expand past {@code maxExpanded}, or is not gzip. */
    public static final class Undecodable extends Exception {
        Undecodable(String why) {
            super(why, null, false, false);
        }
    }

    public Compression {
        types = List.copyOf(types);
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("compress level: 1 to 9, got " + level);
        }
        if (minSize < 0 || maxExpanded < 1) {
            throw new IllegalArgumentException("compress sizes must be positive");
        }
        for (String t : types) {
            if (!t.contains("/")) {
                throw new IllegalArgumentException("compress type '" + t + "' is not a media type (type/subtype, * allowed)");
            }
        }
    }

    /**
     * Whether a response with these headers and body length is stored compressed: a type on the list, at least
     * {@code minSize} and at most {@code maxExpanded}, no content coding of the origin's, and nothing that ties the
     * bytes to their identity form (a Content-Range, a no-transform, a digest).
     */
    public boolean worthCompressing(Headers headers, int bodyLength) {
        if (!enabled || bodyLength < minSize || bodyLength == 0 || bodyLength > maxExpanded) {
            return false; // (one past the bound could never be served decompressed)
        }
        if (headers.contains("Content-MD5") || headers.contains("Content-Digest") || headers.contains("Repr-Digest")
                || headers.contains("Digest")) {
            return false; // digests of the bytes as sent: wrong for gzip bytes, and not ours to recompute
        }
        List<String> codings = headers.tokens("Content-Encoding");
        if (!codings.isEmpty() && !(codings.size() == 1 && codings.get(0).equalsIgnoreCase("identity"))) {
            return false; // stored as it came
        }
        if (headers.contains("Content-Range") || headers.tokens("Cache-Control").stream()
                .anyMatch(d -> d.toLowerCase(Locale.ROOT).startsWith("no-transform"))) {
            return false; // RFC 9110 §7.7 / RFC 9111 §5.2.2.6: the origin forbids transforming it
        }
        return headers.first("Content-Type").map(Compression::mediaType).filter(this::listed).isPresent();
    }

    private boolean listed(String mediaType) {
        for (String t : types) {
            if (GLOBS.computeIfAbsent(t.trim(), g -> Globs.value(g, true)).matcher(mediaType).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The type globs, compiled once (a record holds no derived state; the configured list is short and fixed). */
    private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** The body gzip-compressed at the configured level. */
    public byte[] compress(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: not expected
        }
        return out.toByteArray();
    }

    /** The body a gzip member expands to, at most {@code maxExpanded} bytes. */
    public byte[] decompress(byte[] gzip) throws Undecodable {
        return decompress(gzip, maxExpanded);
    }

    /**
     * Expands one gzip member (RFC 1952), reading at most {@code limit} bytes of output: a small body cannot expand
     * without limit. Header flags (name, comment, extra, header CRC) are skipped; the trailer's CRC and size are checked.
     */
    static byte[] decompress(byte[] gzip, long limit) throws Undecodable {
        if (gzip.length < 18 || (gzip[0] & 0xff) != 0x1f || (gzip[1] & 0xff) != 0x8b || gzip[2] != 8) {
            throw new Undecodable("not gzip");
        }
        int flags = gzip[3] & 0xff;
        int at = 10;
        try {
            if ((flags & 4) != 0) {
                at += 2 + ((gzip[at] & 0xff) | (gzip[at + 1] & 0xff) << 8);
            }
            if ((flags & 8) != 0) {
                while (gzip[at++] != 0) { }
            }
            if ((flags & 16) != 0) {
                while (gzip[at++] != 0) { }
            }
            if ((flags & 2) != 0) {
                at += 2;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new Undecodable("truncated gzip header");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(gzip, at, gzip.length - at);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, Math.max(256L, gzip.length * 4L)));
            byte[] chunk = new byte[16384];
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new Undecodable("truncated gzip body");
                }
                if (out.size() + (long) n > limit) {
                    throw new Undecodable("expands past " + limit + " bytes");
                }
                out.write(chunk, 0, n);
                crc.update(chunk, 0, n);
            }
            int trailer = gzip.length - inflater.getRemaining();
            if (gzip.length - trailer < 8) {
                throw new Undecodable("truncated gzip trailer");
            }
            long storedCrc = le32(gzip, trailer);
            long storedSize = le32(gzip, trailer + 4);
            if (storedCrc != crc.getValue() || storedSize != (out.size() & 0xffffffffL)) {
                throw new Undecodable("gzip checksum mismatch");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new Undecodable("damaged gzip body");
        } finally {
            inflater.end();
        }
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    /**
     * The size a gzip member says it expands to (its ISIZE trailer, mod 2^32): the identity length for a HEAD or a 304
     * without inflating; -1 when it is not gzip. Decompression still checks it.
     */
    public static long expandedSize(byte[] gzip) {
        if (gzip.length < 18 || (gzip[0] & 0xff) != 0x1f || (gzip[1] & 0xff) != 0x8b) {
            return -1;
        }
        return le32(gzip, gzip.length - 4);
    }

    /** An entity tag as a transformed representation's: weak (RFC 9110 §8.8.1; §8.8.3 compares weakly for If-None-Match). */
    public static String weak(String etag) {
        String e = etag.trim();
        return e.startsWith("W/") ? e : "W/" + e;
    }
}
