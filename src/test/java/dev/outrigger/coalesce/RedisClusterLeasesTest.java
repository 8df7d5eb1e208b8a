package dev.outrigger.coalesce;

import dev.outrigger.testsupport.TestRedisCluster;
import io.vertx.mutiny.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The lease contract on a real three-node Redis Cluster: leases on every node, signals across nodes. */
class RedisClusterLeasesTest extends LeasesContract {

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
    Redis client() {
        return cluster.client();
    }
}
