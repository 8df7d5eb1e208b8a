package dev.outrigger.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client over a plain socket that writes exactly the bytes a test gives it and reads
 * responses byte for byte (interim responses, chunked framing and trailers included), so tests see what
 * a real client on the wire sees. Test threads only.
 */
public final class RawHttp implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawHttp connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return new RawHttp(s);
    }

    /** Sends a request head (CRLF line ends are added for every '\n' not already preceded by '\r'). */
    public RawHttp send(String text) throws IOException {
        return send(text.replaceAll("(?<!\r)\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads the next response message, interim (1xx) ones included. */
    public Response read() throws IOException {
        return read(false);
    }

    /** Sends a request and reads its final response, skipping interim ones (101 ends an upgrade: it is final). */
    public Response exchange(String request) throws IOException {
        send(request);
        Response r;
        do {
            r = read(request.startsWith("HEAD "));
        } while (r.status() < 200 && r.status() != 101);
        return r;
    }

    /** The connection's input, for bytes after an upgrade (already-buffered bytes included). */
    public InputStream socketInput() {
        return in;
    }

    /** True when the server closed the connection (end of stream, or a reset) before sending anything more. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    private Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = headers();
        Response head0 = new Response(parts[0], status, parts.length > 2 ? parts[2] : "", headers, new byte[0], List.of(), false);
        if (head || status < 200 || status == 204 || status == 304) {
            return head0;
        }
        String te = head0.header("Transfer-Encoding");
        String cl = head0.header("Content-Length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                if (sizeLine == null) {
                    throw new IOException("connection closed inside a chunked body");
                }
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
            List<Map.Entry<String, String>> trailers = headers();
            return new Response(parts[0], status, head0.reason(), headers, body.toByteArray(), trailers, true);
        }
        if (cl != null) {
            int length = Integer.parseInt(cl.trim());
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("body truncated: " + body.length + " of " + length + " bytes");
            }
            return new Response(parts[0], status, head0.reason(), headers, body, List.of(), false);
        }
        return new Response(parts[0], status, head0.reason(), headers, in.readAllBytes(), List.of(), false);
    }

    private List<Map.Entry<String, String>> headers() throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.add(Map.entry(l.substring(0, colon).trim(), l.substring(colon + 1).trim()));
        }
        return headers;
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One response message as received. */
    public record Response(String version, int status, String reason, List<Map.Entry<String, String>> headers,
                           byte[] body, List<Map.Entry<String, String>> trailers, boolean chunked) {

        /** The first value of a header, case-insensitively, or null. */
        public String header(String name) {
            return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        public String trailer(String name) {
            return trailers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
