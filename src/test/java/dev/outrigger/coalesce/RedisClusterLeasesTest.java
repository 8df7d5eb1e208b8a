package dev.outrigger.coalesce;

import dev.outrigger.testsupport.RedisCluster;
import dev.outrigger.testsupport.RedisServer;
import dev.outrigger.testsupport.Resp;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The lease contract on a real three-node Redis Cluster: leases on every node, signals across nodes. */
class RedisClusterLeasesTest extends LeasesContract {

    static RedisCluster cluster;
    static Vertx vertx;
    static Redis client;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start();
        vertx = Vertx.vertx();
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
        for (RedisServer node : cluster.nodes()) {
            options.addConnectionString(node.uri());
        }
        client = Redis.createClient(vertx, options);
    }

    @AfterAll
    static void stop() {
        client.close();
        vertx.closeAndAwait();
        cluster.close();
    }

    @BeforeEach
    void flush() throws Exception {
        for (RedisServer node : cluster.nodes()) {
            Resp.once(node.port(), "FLUSHALL");
        }
    }

    @Override
    Redis client() {
        return client;
    }
}
