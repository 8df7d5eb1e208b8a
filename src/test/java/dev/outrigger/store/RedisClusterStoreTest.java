package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
import org.junit.jupiter.api.Test;

/** The contract on a real three-node Redis Cluster: keys spread over every node. */
class RedisClusterStoreTest extends CacheStoreContract {

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
    CacheStore store() {
        return new RedisStore(client, "orc:v1:");
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
