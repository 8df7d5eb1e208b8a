package dev.outrigger.testsupport;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;

/** A real redis-server and a reactive client to it on a Vert.x of its own: what store tests talk to. */
public final class TestRedis implements AutoCloseable {

    private final RedisServer server;
    private final Vertx vertx;
    private final Redis client;

    private TestRedis(RedisServer server) {
        this.server = server;
        this.vertx = Vertx.vertx();
        // Each replica built on this client holds two pooled connections for its subscriptions (fill
        // signals, purges); the default pool of 6 would run dry at three replicas.
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri())
                .setMaxPoolSize(64).setMaxPoolWaiting(1024));
    }

    /** Starts a server ({@code args}: extra redis-server options) and a client to it. */
    public static TestRedis start(String... args) throws IOException {
        return new TestRedis(RedisServer.start(args));
    }

    public RedisServer server() {
        return server;
    }

    public Redis client() {
        return client;
    }

    /** Empties the server. */
    public void flush() throws IOException {
        Resp.once(server.port(), "FLUSHALL");
    }

    @Override
    public void close() {
        client.close();
        vertx.closeAndAwait();
        server.close();
    }
}
