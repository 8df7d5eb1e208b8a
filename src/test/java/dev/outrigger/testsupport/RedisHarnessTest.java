package dev.outrigger.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness later tests stand on: real redis-server processes, started and killed on demand. */
class RedisHarnessTest {

    @Test
    void serverAnswersUntilKilledAndAgainAfterRestart() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            assertEquals("OK", Resp.once(redis.port(), "SET", "k", "v"));
            assertEquals("v", Resp.once(redis.port(), "GET", "k"));

            redis.kill();
            assertThrows(IOException.class, () -> Resp.once(redis.port(), "PING"));

            redis.restart();
            assertEquals("PONG", Resp.once(redis.port(), "PING"));
            assertEquals(null, Resp.once(redis.port(), "GET", "k"), "a restarted server starts empty (no persistence)");
        }
    }

    @Test
    void threeNodeClusterCoversEverySlot() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            for (RedisServer node : cluster.nodes()) {
                String info = (String) Resp.once(node.port(), "CLUSTER", "INFO");
                assertTrue(info.contains("cluster_state:ok"), info);
                assertTrue(info.contains("cluster_slots_assigned:16384"), info);
                assertTrue(info.contains("cluster_known_nodes:3"), info);
            }
            assertEquals(3, cluster.hosts().split(",").length);
        }
    }

    @Test
    void clusterRedirectsAKeyToTheNodeThatOwnsIt() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            long slot = (Long) Resp.once(cluster.nodes().get(0).port(), "CLUSTER", "KEYSLOT", "outrigger");
            int owner = slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
            int other = (owner + 1) % 3;

            assertEquals("OK", Resp.once(cluster.nodes().get(owner).port(), "SET", "outrigger", "1"));
            IOException moved = assertThrows(IOException.class,
                    () -> Resp.once(cluster.nodes().get(other).port(), "GET", "outrigger"));
            assertTrue(moved.getMessage().contains("MOVED " + slot), moved.getMessage());
        }
    }

    @Test
    void quarkusResourcePointsRedisHostsAtARunningServer() throws Exception {
        RedisServerResource resource = new RedisServerResource();
        String hosts = resource.start().get("quarkus.redis.hosts");
        int port = URI.create(hosts).getPort();
        try {
            assertEquals("PONG", Resp.once(port, "PING"));
        } finally {
            resource.stop();
        }
        assertThrows(IOException.class, () -> Resp.once(port, "PING"));
    }

    @Test
    void respRepliesKeepTheirTypes() throws Exception {
        try (RedisServer redis = RedisServer.start(); Resp r = new Resp(redis.port())) {
            assertEquals(2L, r.call("RPUSH", "l", "a", "b"));
            assertEquals(List.of("a", "b"), r.call("LRANGE", "l", "0", "-1"));
        }
    }
}
