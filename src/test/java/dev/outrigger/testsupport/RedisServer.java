package dev.outrigger.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} process on a random loopback port, no persistence. The binary is
 * {@code $REDIS_SERVER} when set, else the static Redis 7 shipped in {@code org.signal:embedded-redis}.
 */
public final class RedisServer implements AutoCloseable {

    private static final String EMBEDDED = "/redis-server-7.0.15-linux-amd64";
    private static Path binary;

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** Starts a server; {@code extraArgs} are redis-server options such as {@code --cluster-enabled yes}. */
    public static RedisServer start(String... extraArgs) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisServer server = new RedisServer(freePort(), Files.createTempDirectory("outrigger-redis"), List.of(extraArgs));
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                last = e; // the free port was taken between probing and binding: try another
                server.close();
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the process (SIGKILL: an outage, not a shutdown). */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts the process again on the same port, empty. */
    public void restart() throws IOException {
        kill();
        launch();
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        awaitPing(Duration.ofSeconds(10));
    }

    /** Waits, bounded, for the process to answer PING: process start-up is the one thing waited on. */
    private void awaitPing(Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            try {
                if ("PONG".equals(Resp.once(port, "PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("redis-server on port " + port + " did not answer PING within " + bound);
    }

    @Override
    public void close() {
        kill();
    }

    static synchronized Path binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            binary = Path.of(configured);
            return binary;
        }
        Path file = Files.createTempFile("redis-server-", "");
        try (InputStream in = RedisServer.class.getResourceAsStream(EMBEDDED)) {
            if (in == null) {
                throw new IOException("no " + EMBEDDED + " on the test classpath (org.signal:embedded-redis); set REDIS_SERVER");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        file.toFile().deleteOnExit();
        binary = file;
        return binary;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
