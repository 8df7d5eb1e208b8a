package dev.outrigger.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code @QuarkusTestResource(RedisServerResource.class)}: a real redis-server for the application under
 * test, wired in through {@code quarkus.redis.hosts}. {@link #server()} gives tests the process (to kill it
 * for outage tests, say).
 */
public class RedisServerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile RedisServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = RedisServer.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.redis.hosts", server.uri());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public static RedisServer server() {
        return server;
    }
}
