import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the JDK AOT cache (JEP 483/514/515): starts Outrigger under a command that
 * carries {@code -XX:AOTCacheOutput=FILE}, behind an origin of its own, sends the requests a sidecar
 * serves in its first seconds (misses, hits, revalidations, pass-through, health, metrics), then
 * stops it; the JVM writes FILE as it exits. Classes loaded and methods profiled here are what the
 * cache holds, so the proxy path, not only the boot, must run.
 *
 * <pre>java src/main/aot/AotTraining.java FILE COMMAND...</pre>
 *
 * Run as a single-file source program (no build step of its own) by the pom's {@code aot-cache}
 * profile after {@code quarkus:build}, and by {@code src/main/docker/Dockerfile.jvm} inside the image
 * (the cache is only valid on the JDK build that wrote it). COMMAND gets {@code QUARKUS_HTTP_PORT},
 * {@code QUARKUS_MANAGEMENT_PORT} (free loopback ports) and {@code OUTRIGGER_UPSTREAM_URL}; no Redis
 * is configured, so the in-memory store serves. JDK only: it runs before anything is on a classpath.
 */
public final class AotTraining {

    /** Rounds of the request mix (-Drounds=N): enough for the proxy path to reach the JIT's profiling tiers. */
    private static final int ROUNDS = Integer.getInteger("rounds", 40);

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java AotTraining.java CACHE_FILE COMMAND...");
            System.exit(2);
        }
        Path cache = Path.of(args[0]);
        List<String> command = Arrays.asList(args).subList(1, args.length);
        Files.deleteIfExists(cache);

        HttpServer origin = origin();
        int port = freePort();
        int management = freePort();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Path log = Files.createTempFile("outrigger-aot-training", ".log");
        pb.redirectOutput(log.toFile());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
        pb.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        pb.environment().put("OUTRIGGER_UPSTREAM_URL", "http://127.0.0.1:" + origin.getAddress().getPort());
        pb.environment().remove("QUARKUS_REDIS_HOSTS");
        pb.environment().put("OUTRIGGER_SHUTDOWN_DELAY", "0s"); // nothing to drain: no Service sends it traffic
        long t0 = System.nanoTime();
        Process app = pb.start();
        int exit;
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            awaitFirst(client, base + "/obj/first?size=1024", app);
            drive(client, base, "http://127.0.0.1:" + management);
        } finally {
            app.destroy(); // SIGTERM: Quarkus stops, then the JVM writes the cache at exit
            if (!app.waitFor(180, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
            origin.stop(0);
        }
        exit = app.exitValue();
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            System.err.println(Files.readString(log));
            throw new IllegalStateException("no AOT cache written to " + cache + " (exit " + exit + "; log above)");
        }
        Files.delete(log);
        System.out.printf("AOT cache %s (%d MiB) trained in %.1f s%n", cache, Files.size(cache) >> 20,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Waits for the first proxied 200 (the server is up), failing fast if the process died. */
    private static void awaitFirst(HttpClient client, String url, Process app) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("the trained process exited with " + app.exitValue());
            }
            try {
                if (client.send(get(url), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // connection refused until the traffic port is bound
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no 200 from " + url + " within 120 s");
    }

    /** What a sidecar sees early: the same keys missed then hit, several sizes, conditionals, other methods. */
    private static void drive(HttpClient client, String base, String management) throws Exception {
        int[] sizes = {0, 512, 1024, 16384, 262144};
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < 25; k++) {
                send(client, get(base + "/obj/k" + k + "?size=" + sizes[k % sizes.length]));
            }
            send(client, get(base + "/obj/k1?size=512")); // a hit on a warm connection
            send(client, HttpRequest.newBuilder(URI.create(base + "/obj/k2?size=1024")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build());
            send(client, HttpRequest.newBuilder(URI.create(base + "/obj/k3?size=1024"))
                    .header("If-None-Match", "\"k3\"").build());
            send(client, HttpRequest.newBuilder(URI.create(base + "/obj/k4?size=1024"))
                    .header("Cache-Control", "no-cache").build());
            send(client, get(base + "/nostore/n" + round));
            send(client, HttpRequest.newBuilder(URI.create(base + "/post/p" + round))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());
            send(client, get(base + "/obj/miss-" + round + "?size=2048"));
        }
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/health", "/q/metrics")) {
            send(client, get(management + path));
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }

    private static void send(HttpClient client, HttpRequest request) throws Exception {
        client.send(request, HttpResponse.BodyHandlers.discarding());
    }

    /**
     * /obj/KEY?size=N: cacheable for an hour with an ETag (304 on a match); /nostore/*: no-store;
     * anything else (the POSTs): 200 echoing the request body length.
     */
    private static HttpServer origin() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "origin");
            t.setDaemon(true); // the program ends when training does
            return t;
        }));
        server.createContext("/", AotTraining::answer);
        server.start();
        return server;
    }

    private static void answer(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            long requestBody = in.transferTo(OutputStream.nullOutputStream());
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            if (path.startsWith("/obj/")) {
                String etag = "\"" + path.substring(5) + "\"";
                ex.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
                ex.getResponseHeaders().set("ETag", etag);
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                    ex.sendResponseHeaders(304, -1);
                    return;
                }
                int size = query != null && query.startsWith("size=") ? Integer.parseInt(query.substring(5)) : 1024;
                body(ex, size);
            } else if (path.startsWith("/nostore/")) {
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                body(ex, 256);
            } else {
                body(ex, (int) Math.min(requestBody, 1 << 20));
            }
        }
    }

    private static void body(HttpExchange ex, int size) throws IOException {
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(size));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'o');
        ex.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private AotTraining() {
    }
}
