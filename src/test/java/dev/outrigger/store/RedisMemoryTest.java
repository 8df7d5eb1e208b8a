package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.TestRedis;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a real redis-server says about its memory limits, and how Outrigger reads it. */
class RedisMemoryTest {

    static RedisMemory.Limits limitsOf(String... args) throws Exception {
        try (TestRedis redis = TestRedis.start(args)) {
            RedisMemory memory = new RedisMemory(redis.client());
            Optional<RedisMemory.Limits> limits = memory.check(Duration.ofSeconds(5)).await().atMost(Duration.ofSeconds(10));
            assertEquals(limits, memory.limits());
            return limits.orElseThrow();
        }
    }

    @Test
    void aRedisWithoutMaxmemoryIsUnbounded() throws Exception {
        RedisMemory.Limits limits = limitsOf();
        assertEquals(0, limits.maxmemory());
        assertFalse(limits.bounded());
        assertTrue(limits.describe().startsWith("unbounded"), limits.describe());
        assertTrue(limits.describe().contains("set maxmemory"), limits.describe());
    }

    @Test
    void aFullRedisThatEvictsNothingStopsWritesAndIsNotBounded() throws Exception {
        RedisMemory.Limits limits = limitsOf("--maxmemory", "64mb", "--maxmemory-policy", "noeviction");
        assertEquals(64L << 20, limits.maxmemory());
        assertFalse(limits.bounded());
        assertTrue(limits.describe().contains("allkeys-lru"), limits.describe());
    }

    @Test
    void maxmemoryWithAnEvictionPolicyIsBounded() throws Exception {
        RedisMemory.Limits limits = limitsOf("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru");
        assertTrue(limits.bounded());
        assertEquals("bounded (maxmemory 64 MiB, allkeys-lru)", limits.describe());
    }

    @Test
    void aRedisThatDoesNotAnswerGivesNothingAndNoFailure() throws Exception {
        TestRedis redis = TestRedis.start();
        RedisMemory memory = new RedisMemory(redis.client());
        redis.server().kill();
        try {
            assertEquals(Optional.empty(), memory.check(Duration.ofMillis(500)).await().atMost(Duration.ofSeconds(10)));
        } finally {
            redis.close();
        }
    }

    @Test
    void anInfoReplyWithoutTheLimitsIsNotGuessed() {
        assertEquals(Optional.empty(), RedisMemory.parse("# Memory\r\nused_memory:100\r\n"));
        assertEquals(Optional.of(new RedisMemory.Limits(1024, "volatile-lru")),
                RedisMemory.parse("# Memory\r\nmaxmemory:1024\r\nmaxmemory_policy:volatile-lru\r\n"));
    }
}
