package dev.outrigger.testsupport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three masters on random loopback ports, formed the way an operator would: each
 * node gets a third of the slots with CLUSTER ADDSLOTSRANGE, then they CLUSTER MEET.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() throws IOException {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000"));
            }
            int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
            for (int i = 0; i < 3; i++) {
                Resp.once(nodes.get(i).port(), "CLUSTER", "ADDSLOTSRANGE",
                        Integer.toString(ranges[i][0]), Integer.toString(ranges[i][1]));
            }
            for (int i = 1; i < 3; i++) {
                Resp.once(nodes.get(0).port(), "CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()));
            }
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.awaitOk(Duration.ofSeconds(30));
            return cluster;
        } catch (IOException | RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    /** The seed list in the form quarkus.redis.hosts takes. */
    public String hosts() {
        return String.join(",", nodes.stream().map(RedisServer::uri).toList());
    }

    /**
     * Waits, bounded, until every node reports cluster_state:ok and sees every other node over a connected bus link
     * (gossip takes a moment). cluster_state:ok alone can come before all links are up, and a PUBLISH reaches the
     * other nodes only over links that are: a subscriber on a node not yet linked would miss it.
     */
    private void awaitOk(Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServer n : nodes) {
                ok &= String.valueOf(Resp.once(n.port(), "CLUSTER", "INFO")).contains("cluster_state:ok");
                List<String> known = String.valueOf(Resp.once(n.port(), "CLUSTER", "NODES")).lines()
                        .filter(l -> !l.isBlank()).toList();
                ok &= known.size() == nodes.size() && known.stream().allMatch(l -> l.contains(" connected"));
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("cluster did not reach cluster_state:ok within " + bound);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
