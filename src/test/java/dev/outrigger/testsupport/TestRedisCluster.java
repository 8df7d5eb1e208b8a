package dev.outrigger.testsupport;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;

/** A real three-node Redis Cluster and a cluster-mode reactive client to it, on a Vert.x of its own. */
public final class TestRedisCluster implements AutoCloseable {

    private final RedisCluster cluster;
    private final Vertx vertx;
    private final Redis client;

    private TestRedisCluster(RedisCluster cluster) {
        this.cluster = cluster;
        this.vertx = Vertx.vertx();
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
        for (RedisServer node : cluster.nodes()) {
            options.addConnectionString(node.uri());
        }
        this.client = Redis.createClient(vertx, options);
    }

    public static TestRedisCluster start() throws Exception {
        return new TestRedisCluster(RedisCluster.start());
    }

    public Redis client() {
        return client;
    }

    /** Empties every node. */
    public void flush() throws IOException {
        for (RedisServer node : cluster.nodes()) {
            Resp.once(node.port(), "FLUSHALL");
        }
    }

    @Override
    public void close() {
        client.close();
        vertx.closeAndAwait();
        cluster.close();
    }
}
