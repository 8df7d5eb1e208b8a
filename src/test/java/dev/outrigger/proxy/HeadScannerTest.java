package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.proxy.HeadScanner.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request heads, whole and in pieces, and what the scanner makes of them. */
class HeadScannerTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                       | END
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n 2\\r\\n\\r\\n        | FOLDED
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n\\t2\\r\\n\\r\\n      | FOLDED
            GET / HTTP/1.1\\r\\n Host: a\\r\\n\\r\\n                      | FOLDED
            \\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n           | END
            GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n body\\r\\n            | END
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a  b\\r\\n                | MORE
            GET / HTTP/1.1\\nHost: a\\n\\n                                 | END
            """)
    void verdicts(String head, Verdict expected) {
        byte[] bytes = unescape(head);
        assertEquals(expected, scanWhole(bytes), "whole");
        assertEquals(expected, scanByteByByte(bytes), "byte by byte");
    }

    private static Verdict scanWhole(byte[] bytes) {
        HeadScanner scanner = new HeadScanner();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        return scanner.scan(buf, 0, bytes.length);
    }

    private static Verdict scanByteByByte(byte[] bytes) {
        HeadScanner scanner = new HeadScanner();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        Verdict v = Verdict.MORE;
        for (int i = 0; i < bytes.length; i++) {
            v = scanner.scan(buf, i, i + 1);
        }
        return v;
    }

    private static byte[] unescape(String s) {
        return s.strip().replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
