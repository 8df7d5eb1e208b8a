package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.outrigger.testsupport.TestRedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real three-node Redis Cluster: keys spread over every node. */
class RedisClusterStoreTest extends CacheStoreContract {

    static TestRedisCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestRedisCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void flush() throws Exception {
        cluster.flush();
    }

    @Override
    CacheStore store() {
        return RedisStore.cluster(cluster.client(), "orc:v1:");
    }

    @Test
    void keysOnEveryNodeAreReachable() {
        CacheStore s = store();
        for (int i = 0; i < 50; i++) {
            put(s, "GET /k" + i, new byte[] {(byte) i}, MINUTE);
        }
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(new byte[] {(byte) i}, get(s, "GET /k" + i).orElseThrow().value());
        }
    }
}
