package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.outrigger.coalesce.Leases.Acquired;
import dev.outrigger.coalesce.Leases.Signal;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two deployments sharing one real redis-server under different key prefixes: their leases and signals keep apart. */
class LeaseTenancyTest {

    static TestRedis redis;
    final List<RedisLeases> pods = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @AfterEach
    void close() {
        pods.forEach(RedisLeases::close);
    }

    RedisLeases pod(String prefix, List<String> heard) {
        RedisLeases leases = new RedisLeases(redis.client(), prefix, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(1)).start();
        pods.add(leases);
        leases.listen((s, k, own) -> heard.add(s + " " + k));
        leases.whenListening().await().atMost(Duration.ofSeconds(5));
        return leases;
    }

    static Acquired acquired(Leases leases, String key) {
        return assertInstanceOf(Acquired.class, leases.acquire(key).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void aLeaseOrASignalOfOneDeploymentIsNothingToTheOther() throws Exception {
        List<String> heardByShop = new CopyOnWriteArrayList<>();
        List<String> heardByBlog = new CopyOnWriteArrayList<>();
        RedisLeases shop = pod("shop:", heardByShop);
        RedisLeases blog = pod("blog:", heardByBlog);

        Acquired shops = acquired(shop, "/index");
        Acquired blogs = acquired(blog, "/index"); // the same key: not held, as far as the blog knows
        shop.release("/index", shops.token(), Signal.FILLED).await().atMost(Duration.ofSeconds(5));
        blog.announce("/about", Signal.OVERWRITTEN).await().atMost(Duration.ofSeconds(5));
        blog.release("/index", blogs.token(), Signal.UNSHAREABLE).await().atMost(Duration.ofSeconds(5));
        shop.release("/end", acquired(shop, "/end").token(), Signal.FAILED).await().atMost(Duration.ofSeconds(5));

        // One server, one order: had a signal crossed over, it would have come before the other's own
        // that followed it (the blog's release; the shop's last).
        Await.until(() -> !heardByBlog.isEmpty() && heardByShop.size() >= 2, "each heard its own");
        assertEquals(List.of("UNSHAREABLE /index"), heardByBlog);
        assertEquals(List.of("FILLED /index", "FAILED /end"), heardByShop, "nor the blog's announcement or release");
    }
}
