package dev.outrigger.testsupport;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.CoalesceListener;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.metrics.Meters;
import dev.outrigger.proxy.ProxyServer;
import dev.outrigger.proxy.ProxySettings;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.purge.Purges;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.upstream.UpstreamHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The traffic server alone in a child JVM, so a test can give it a heap of its own (a small one, to prove
 * bodies stream) or kill it (a replica dying mid-fetch). Arguments: the upstream URL, and optionally a
 * Redis URI and a lease TTL in ms (then it is a replica: L1 over that Redis, leases there). Prints
 * {@code PORT <n>} once listening and exits when its standard input closes.
 */
public final class StandaloneProxy {

    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        ProxySettings settings = ProxySettings.defaults(URI.create(args[0])).withLimits(8192, 32768, Long.MAX_VALUE);
        Meters meters = new Meters(new SimpleMeterRegistry());
        Clock clock = Clock.systemUTC();
        TieredResponses store = TieredResponses.memory(16L << 20, clock);
        Leases leases = Leases.LOCAL;
        if (args.length >= 3) {
            Redis redis = Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(vertx),
                    new RedisOptions().setConnectionString(args[1]));
            Duration ttl = Duration.ofMillis(Long.parseLong(args[2]));
            store = TieredResponses.over(new FailOpenStore(new RedisStore(redis, "orc:v1:"), Duration.ofMillis(500),
                    Duration.ofMillis(500), 5, Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE), 16L << 20,
                    Duration.ofSeconds(1), clock);
            leases = new RedisLeases(redis, "orc:v1:", ttl, Duration.ofMillis(500), Duration.ofSeconds(1)).start();
        }
        ProxyServer server = ProxyServer.start(vertx, settings, CacheSettings.DEFAULT, store,
                        new Coalescer(vertx, leases, CoalesceSettings.DEFAULT, clock, CoalesceListener.NONE, store),
                        PurgeBus.local(new Purges(clock, Duration.ofMillis(100), CacheSettings.DEFAULT.maxTtl()), PurgeBus.Listener.NONE),
                        new UpstreamHealth(UpstreamHealth.Settings.DEFAULT, clock, meters.upstreamListener()), meters, clock)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() != -1) {
            // runs until the parent closes our stdin
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    /** A running child JVM with the given JVM options, forwarding to {@code upstream}. */
    public static final class Child implements AutoCloseable {
        private final Process process;
        private final int port;

        public Child(String upstream, String... jvmOptions) throws IOException {
            this(List.of(upstream), jvmOptions);
        }

        /** {@code args}: what {@link StandaloneProxy#main} takes. */
        public Child(List<String> args, String... jvmOptions) throws IOException {
            Path log = Files.createTempFile("standalone-proxy", ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of(jvmOptions));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StandaloneProxy.class.getName()));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
            String line;
            int found = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PORT ")) {
                    found = Integer.parseInt(line.substring(5).trim());
                    break;
                }
            }
            if (found < 0) {
                throw new IOException("standalone proxy did not start: " + Files.readString(log));
            }
            port = found;
        }

        public int port() {
            return port;
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** SIGKILL: the process dies mid-whatever, nothing cleaned up (a crashed pod). */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** Peak resident set size so far, from /proc (Linux), in bytes; -1 elsewhere. */
        public long peakRss() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                    if (l.startsWith("VmHWM:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
