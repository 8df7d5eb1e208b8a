package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.outrigger.coalesce.Leases.Local;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.mutiny.redis.client.Redis;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease contract on a real redis-server. */
class RedisLeasesTest extends LeasesContract {

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
        if (!redis.server().running()) {
            redis.server().restart();
        }
        redis.flush();
    }

    @Override
    Redis client() {
        return redis.client();
    }

    @Test
    void withRedisDownAcquiringAnswersLocalAndKeepsDoingSoWithoutAsking() throws Exception {
        RedisLeases a = pod();
        redis.server().kill();

        assertInstanceOf(Local.class, acquire(a, "shop /p/1"));
        redis.server().restart();
        // within the backoff Redis is not asked again, even though it is back
        assertInstanceOf(Local.class, a.acquire("shop /p/1").await().atMost(Duration.ofMillis(100)));
    }
}
