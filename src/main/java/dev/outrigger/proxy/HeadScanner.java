package dev.outrigger.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads the bytes of one request head, as they arrive, for a line that starts with whitespace: obsolete
 * line folding (RFC 9112 §5.2), or whitespace between the request line and the first header field
 * (RFC 9112 §2.2). Stops at the empty line that ends the head. One instance per connection, reset for
 * each head; event-loop confined.
 */
final class HeadScanner implements ByteProcessor {

    enum Verdict {
        /** The head has not ended yet and no line so far starts with whitespace. */
        MORE,
        /** The empty line ending the head was reached; no line started with whitespace. */
        END,
        /** A line after the request line starts with SP or HTAB. */
        FOLDED
    }

    private boolean requestLineStarted;
    private boolean atLineStart;
    private Verdict verdict = Verdict.MORE;

    /** Starts over for the next head. */
    void reset() {
        requestLineStarted = false;
        atLineStart = false;
        verdict = Verdict.MORE;
    }

    /** Scans {@code bytes} (the next bytes of the head, in order) unless a verdict was already reached. */
    Verdict scan(ByteBuf bytes, int from, int to) {
        if (verdict == Verdict.MORE && to > from) {
            bytes.forEachByte(from, to - from, this);
        }
        return verdict;
    }

    Verdict verdict() {
        return verdict;
    }

    @Override
    public boolean process(byte b) {
        if (!requestLineStarted) {
            // RFC 9112 §2.2: empty lines before the request line are ignored; Netty's decoder skips every
            // control and whitespace byte there (HttpObjectDecoder.skipControlChars), and so does this.
            if (b >= 0 && b <= ' ' || b == 0x7f) {
                return true;
            }
            requestLineStarted = true;
            return true;
        }
        if (atLineStart) {
            atLineStart = false;
            if (b == '\r' || b == '\n') {
                verdict = Verdict.END;
                return false;
            }
            if (b == ' ' || b == '\t') {
                verdict = Verdict.FOLDED;
                return false;
            }
        }
        if (b == '\n') {
            atLineStart = true;
        }
        return true;
    }
}
