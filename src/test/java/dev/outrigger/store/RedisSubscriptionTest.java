package dev.outrigger.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One channel's subscription on a real redis-server: when it counts as open, and how it comes back. */
class RedisSubscriptionTest {

    static TestRedis redis;
    final List<String> heard = new CopyOnWriteArrayList<>();
    final AtomicInteger subscriptions = new AtomicInteger();
    RedisSubscription subscription;

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
        subscription.close();
    }

    RedisSubscription subscribe(String channel) {
        subscription = new RedisSubscription(redis.client(), channel, Duration.ofMillis(200), heard::add,
                subscriptions::incrementAndGet).start();
        return subscription;
    }

    Object redis(String... command) throws Exception {
        return Resp.once(redis.server().port(), command);
    }

    @Test
    void itCountsAsSubscribedOnlyOnceRedisHasRegisteredIt() throws Exception {
        subscribe("ch-1").whenSubscribed().await().atMost(Duration.ofSeconds(5));

        // No waiting here: Redis confirmed the SUBSCRIBE before the subscription said it was open.
        assertEquals(List.of("ch-1", 1L), redis("PUBSUB", "NUMSUB", "ch-1"));
        assertEquals(1L, redis("PUBLISH", "ch-1", "first"), "one receiver");
        Await.until(() -> heard.size() == 1, "delivered");
        assertEquals(List.of("first"), heard);
        assertEquals(1, subscriptions.get(), "the owner is told of the first subscription too");
    }

    @Test
    void afterADropItSubscribesAgainAndTellsTheOwnerEachTime() throws Exception {
        subscribe("ch-2").whenSubscribed().await().atMost(Duration.ofSeconds(5));

        redis("CLIENT", "KILL", "TYPE", "pubsub");
        Await.until(() -> subscriptions.get() == 2, "subscribed again");

        assertEquals(true, subscription.subscribed());
        subscription.whenSubscribed().await().atMost(Duration.ofSeconds(5));
        assertEquals(1L, redis("PUBLISH", "ch-2", "after"));
        Await.until(() -> heard.contains("after"), "delivered after the drop");
    }

    @Test
    void aClosedSubscriptionLeavesTheChannel() throws Exception {
        subscribe("ch-3").whenSubscribed().await().atMost(Duration.ofSeconds(5));

        subscription.close();

        Await.until(() -> {
            try {
                return List.of("ch-3", 0L).equals(redis("PUBSUB", "NUMSUB", "ch-3"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "unsubscribed");
        assertEquals(false, subscription.subscribed());
    }

    @Test
    void severalChannelsOnOneConnectionCountAsSubscribedOnceRedisHasRegisteredThemAll() throws Exception {
        subscription = new RedisSubscription(redis.client(), List.of("ch-4", "ch-5"), 1, Duration.ofMillis(200), heard::add,
                subscriptions::incrementAndGet).start();
        subscription.whenSubscribed().await().atMost(Duration.ofSeconds(5));

        assertEquals(List.of("ch-4", 1L, "ch-5", 1L), redis("PUBSUB", "NUMSUB", "ch-4", "ch-5"));
        redis("PUBLISH", "ch-5", "second channel");
        redis("PUBLISH", "ch-4", "first channel");
        Await.until(() -> heard.size() == 2, "delivered");
        assertEquals(List.of("second channel", "first channel"), heard, "in the order Redis handled them");
    }

    @Test
    void aChannelTheUsersAclRefusesIsGivenUpAndTheRequiredOnesSubscribedAlone() throws Exception {
        redis("ACL", "SETUSER", "limited", "on", ">pw", "~*", "resetchannels", "&ch-6", "+@all");
        io.vertx.mutiny.core.Vertx vertx = io.vertx.mutiny.core.Vertx.vertx();
        io.vertx.mutiny.redis.client.Redis limited = io.vertx.mutiny.redis.client.Redis.createClient(vertx,
                new io.vertx.redis.client.RedisOptions().setConnectionString("redis://limited:pw@127.0.0.1:" + redis.server().port()));
        try {
            subscription = new RedisSubscription(limited, List.of("ch-6", "not-granted"), 1, Duration.ofMillis(200), heard::add,
                    subscriptions::incrementAndGet).start();
            subscription.whenSubscribed().await().atMost(Duration.ofSeconds(5));

            assertEquals(List.of("ch-6", 1L, "not-granted", 0L), redis("PUBSUB", "NUMSUB", "ch-6", "not-granted"));
            redis("PUBLISH", "ch-6", "signal");
            Await.until(() -> heard.contains("signal"), "the required channel's messages arrive");
        } finally {
            subscription.close();
            limited.close();
            vertx.closeAndAwait();
        }
    }
}
