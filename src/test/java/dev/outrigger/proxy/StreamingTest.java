package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.StandaloneProxy;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream with back-pressure in both directions: 2 GiB pass through a proxy whose JVM has 64 MiB of
 * heap and 64 MiB of direct memory, which buffering even a tenth of either body would exhaust.
 */
class StreamingTest {

    static final long SIZE = 2L << 30;
    static final Buffer BLOCK = Buffer.buffer(new byte[64 * 1024]);

    static OriginServer origin;
    static StandaloneProxy.Child proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginServer.start();
        origin.on("/download", req -> {
            HttpServerResponse resp = req.response().putHeader("Content-Length", Long.toString(SIZE));
            new Object() {
                long sent;

                void pump() {
                    while (sent < SIZE && !resp.writeQueueFull()) {
                        resp.write(BLOCK);
                        sent += BLOCK.length();
                    }
                    if (sent >= SIZE) {
                        resp.end();
                    } else {
                        resp.drainHandler(v -> pump());
                    }
                }
            }.pump();
        });
        origin.on("/upload", req -> {
            long[] received = {0};
            req.handler(b -> received[0] += b.length());
            req.endHandler(v -> req.response().end(Long.toString(received[0])));
        });
        proxy = new StandaloneProxy.Child(origin.url(), "-Xmx64m", "-XX:MaxDirectMemorySize=64m");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void twoGibDownloadStreamsThroughASmallHeap() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write("GET /download HTTP/1.1\r\nHost: app\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase().contains("content-length: " + SIZE), head);
            byte[] buf = new byte[256 * 1024];
            long got = 0;
            int n;
            while (got < SIZE && (n = in.read(buf)) > 0) {
                got += n;
            }
            assertEquals(SIZE, got);
        }
        assertTrue(proxy.alive());
        System.out.printf("download: proxy peak RSS %d MiB%n", proxy.peakRss() >> 20);
    }

    @Test
    void twoGibUploadStreamsThroughASmallHeap() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: " + SIZE + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < SIZE; sent += block.length) {
                out.write(block);
            }
            out.flush();
            {
                InputStream in = s.getInputStream();
                String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                String body = new String(in.readNBytes(Long.toString(SIZE).length()), StandardCharsets.US_ASCII);
                assertEquals(Long.toString(SIZE), body, "the origin received every byte");
            }
        }
        assertTrue(proxy.alive());
        System.out.printf("upload: proxy peak RSS %d MiB%n", proxy.peakRss() >> 20);
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
