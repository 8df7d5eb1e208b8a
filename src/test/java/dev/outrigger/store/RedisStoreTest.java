package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.RedisServer;
import dev.outrigger.testsupport.Resp;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, plus the key layout other tools rely on. */
class RedisStoreTest extends CacheStoreContract {

    static RedisServer server;
    static Vertx vertx;
    static Redis client;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri()));
    }

    @AfterAll
    static void stop() {
        client.close();
        vertx.closeAndAwait();
        server.close();
    }

    @BeforeEach
    void flush() throws Exception {
        Resp.once(server.port(), "FLUSHALL");
    }

    @Override
    CacheStore store() {
        return new RedisStore(client, "orc:v1:");
    }

    @Test
    void keysLiveUnderThePrefixWithRedisExpiry() throws Exception {
        put(store(), "GET /a", new byte[] {1}, MINUTE);

        assertEquals(1L, Resp.once(server.port(), "EXISTS", "orc:v1:GET /a"));
        long pttl = (Long) Resp.once(server.port(), "PTTL", "orc:v1:GET /a");
        assertTrue(pttl > 50_000 && pttl <= 60_000, "PTTL " + pttl);
    }

    @Test
    void aKeyWrittenWithoutExpiryIsReportedAsDue() throws Exception {
        Resp.once(server.port(), "SET", "orc:v1:foreign", "x");
        assertEquals(java.time.Duration.ZERO, get(store(), "foreign").orElseThrow().ttl());
    }
}
