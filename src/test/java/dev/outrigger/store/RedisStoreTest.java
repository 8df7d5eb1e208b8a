package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, plus the key layout other tools rely on. */
class RedisStoreTest extends CacheStoreContract {

    static TestRedis redis;

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        redis.flush();
    }

    @Override
    CacheStore store() {
        return new RedisStore(redis.client(), "orc:v1:");
    }

    @Test
    void keysLiveUnderThePrefixWithRedisExpiry() throws Exception {
        put(store(), "GET /a", new byte[] {1}, MINUTE);

        assertEquals(1L, Resp.once(redis.server().port(), "EXISTS", "orc:v1:GET /a"));
        long pttl = (Long) Resp.once(redis.server().port(), "PTTL", "orc:v1:GET /a");
        assertTrue(pttl > 50_000 && pttl <= 60_000, "PTTL " + pttl);
    }

    @Test
    void aKeyWrittenWithoutExpiryIsReportedAsDue() throws Exception {
        Resp.once(redis.server().port(), "SET", "orc:v1:foreign", "x");
        assertEquals(java.time.Duration.ZERO, get(store(), "foreign").orElseThrow().ttl());
    }

    @Test
    void anAnnouncedWriteTheUserMayNotAnnounceDoesNotLandEither() throws Exception {
        Resp.once(redis.server().port(), "ACL", "SETUSER", "nochannel", "on", ">pw", "~*", "resetchannels", "+@all");
        io.vertx.mutiny.core.Vertx vertx = io.vertx.mutiny.core.Vertx.vertx();
        io.vertx.mutiny.redis.client.Redis limited = io.vertx.mutiny.redis.client.Redis.createClient(vertx,
                new io.vertx.redis.client.RedisOptions().setConnectionString("redis://nochannel:pw@127.0.0.1:" + redis.server().port()));
        try {
            CacheStore store = RedisStore.announcing(limited, "orc:v1:", WriteSignals.forNewPod("orc:v1:"));
            put(new RedisStore(limited, "orc:v1:"), "GET /a", new byte[] {1}, MINUTE); // the user may write keys

            RuntimeException put = assertThrows(RuntimeException.class,
                    () -> store.put("GET /a", new byte[] {2}, MINUTE).await().atMost(WAIT));
            assertTrue(String.valueOf(put.getMessage()).contains("EXECABORT"), "the PUBLISH is refused while queued: " + put);
            RuntimeException remove = assertThrows(RuntimeException.class, () -> store.remove("GET /a").await().atMost(WAIT));
            assertTrue(String.valueOf(remove.getMessage()).contains("EXECABORT"), String.valueOf(remove));
            assertArrayEquals(new byte[] {1}, get(store(), "GET /a").orElseThrow().value(), "neither change landed unannounced");
        } finally {
            limited.close();
            vertx.closeAndAwait();
        }
    }
}
