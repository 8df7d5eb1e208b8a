package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Purges through a real redis-server: a replica cut off from the channel catches up when it is back, and
 * deployments sharing the server under different key prefixes keep their purges apart.
 */
class RedisPurgeBusTest {

    static TestRedis redis;
    static Vertx vertx;
    final List<RedisPurgeBus> buses = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
        redis.close();
    }

    @BeforeEach
    void flush() throws Exception {
        redis.flush();
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(RedisPurgeBus::close);
    }

    /** A replica's bus and what it applied from the channel. */
    record Replica(RedisPurgeBus bus, List<Purge> heard) {
        Purges purges() {
            return bus.purges();
        }

        void purge(Purge p) {
            bus.purge(p).await().atMost(Duration.ofSeconds(5));
        }
    }

    /** A replica of the deployment under {@code prefix}, once subscribed and synced. */
    Replica replica(String prefix, Optional<String> channel) {
        List<Purge> heard = new CopyOnWriteArrayList<>();
        Purges purges = new Purges(Clock.systemUTC(), Duration.ofMillis(100), Duration.ofDays(7));
        // The periodic read is far off: only the (re)subscription reads the records here.
        RedisPurgeBus bus = new RedisPurgeBus(redis.client(), purges, prefix, RedisPurgeBus.channel(prefix, channel),
                Duration.ofHours(1), Duration.ofSeconds(5), vertx, Clock.systemUTC(), new PurgeBus.Listener() {
                    @Override
                    public void applied(Purge p) {
                        heard.add(p);
                    }
                }).start();
        buses.add(bus);
        bus.whenReady().await().atMost(Duration.ofSeconds(5));
        return new Replica(bus, heard);
    }

    static Purge tag(String tag) {
        return new Purge(List.of(), List.of(tag), List.of(), false, false, 0);
    }

    @Test
    void theChannelIsThePrefixsOwnUnlessSet() {
        assertEquals("orc:v1:invalidate", RedisPurgeBus.channel("orc:v1:", Optional.empty()));
        assertEquals("shop:invalidate", RedisPurgeBus.channel("shop:", Optional.of(" ")));
        assertEquals("outrigger:invalidate", RedisPurgeBus.channel("shop:", Optional.of("outrigger:invalidate")));
    }

    @Test
    void aPurgeMadeWhileAReplicaWasCutOffIsReadWhenItSubscribesAgain() throws Exception {
        Replica a = replica("orc:v1:", Optional.empty());
        Replica b = replica("orc:v1:", Optional.empty());

        Resp.once(redis.server().port(), "CLIENT", "KILL", "TYPE", "pubsub");
        // b is back 1 s after the drop: the broadcast is lost for it, the record is not.
        a.purge(tag("product-1"));

        Await.until(() -> b.purges().size() == 1, "read when subscribed again");
        assertEquals(List.of(), b.heard(), "not from the channel: it was not subscribed");
    }

    @Test
    void deploymentsUnderDifferentPrefixesNeverApplyEachOthersPurges() throws Exception {
        Replica shop = replica("shop:", Optional.empty());
        Replica blog = replica("blog:", Optional.empty());

        shop.purge(tag("product-1"));
        blog.purge(tag("post-1"));
        shop.purge(tag("product-2"));

        // Each hears its own purges back on its channel. One server, one order: had a purge crossed over,
        // it would have come before the other's own that followed it.
        Await.until(() -> !blog.heard().isEmpty() && shop.heard().size() >= 2, "each heard its own");
        assertEquals(List.of("post-1"), blog.heard().stream().flatMap(p -> p.tags().stream()).toList());
        assertEquals(List.of("product-1", "product-2"), shop.heard().stream().flatMap(p -> p.tags().stream()).toList());
        assertEquals(1, blog.purges().size());
        assertEquals(1, replica("blog:", Optional.empty()).purges().size(), "a blog replica started later reads the blog's only");
    }

    @Test
    void deploymentsThatSetTheSameChannelHearEachOther() throws Exception {
        Replica shop = replica("shop:", Optional.of("outrigger:invalidate"));
        Replica blog = replica("blog:", Optional.of("outrigger:invalidate"));

        shop.purge(tag("product-1"));

        // awaited on what is asserted: the bus records a purge (purges()) a moment before its listener hears it
        Await.until(() -> !blog.heard().isEmpty(), "the blog applied the shop's purge");
        assertEquals(List.of("product-1"), blog.heard().getFirst().tags());
        assertEquals(1, blog.purges().size());
    }
}
