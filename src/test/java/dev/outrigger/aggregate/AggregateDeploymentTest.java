package dev.outrigger.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.purge.Purge;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An aggregate on two replicas sharing a real Redis: a burst on it reaches each part's service once (the parts
 * coalesce across replicas as any request does), and a purge of one part on one replica refreshes that part alone on
 * the other.
 */
class AggregateDeploymentTest {

    static TestRedis testRedis;

    final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    OriginServer app;
    OriginServer orders;
    Deployment deployment;

    @BeforeAll
    static void startRedis() throws Exception {
        testRedis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        testRedis.close();
    }

    @BeforeEach
    void start() throws Exception {
        testRedis.flush();
        app = OriginServer.start();
        orders = OriginServer.start();
        deployment = new Deployment(testRedis, app);
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        deployment.close();
        app.close();
        orders.close();
    }

    TestProxy replica() throws Exception {
        AggregateSpec profile = new AggregateSpec("profile", "/bff/users/{id}/profile", Duration.ofSeconds(10), 502, List.of(),
                1 << 20, List.of(
                new AggregateSpec.Part("user", "/api/users/{id}", true, Optional.of(Duration.ofMinutes(5)), Optional.empty()),
                new AggregateSpec.Part("orders", orders.url() + "/orders?user={id}", false, Optional.of(Duration.ofSeconds(60)),
                        Optional.empty()),
                new AggregateSpec.Part("recs", "/api/recommendations?user={id}", false, Optional.of(Duration.ofMinutes(2)),
                        Optional.empty())));
        CacheSettings cache = CacheSettings.DEFAULT.withAggregates(Aggregates.compile(List.of(profile)));
        return deployment.replica(Clock.systemUTC(), CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)), cache);
    }

    /** Slow enough that the whole burst arrives while the first fetches are out. */
    void slowParts() {
        app.respond("/api/users/7", json("{\"id\":7}").delay(Duration.ofMillis(300)));
        orders.respond("/orders", json("[1]").delay(Duration.ofMillis(300)));
        app.respond("/api/recommendations", json("[2]").delay(Duration.ofMillis(300)));
    }

    static Response json(String body) {
        return Response.ok(body).header("Content-Type", "application/json");
    }

    static JsonObject meta(RawHttp.Response r, String part) {
        return new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonObject("_meta").getJsonObject("parts")
                .getJsonObject(part);
    }

    @Test
    void aBurstOverTwoReplicasFetchesEachPartOnce() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        slowParts();

        CountDownLatch go = new CountDownLatch(1);
        List<Future<RawHttp.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int port = (i % 2 == 0 ? a : b).port();
            answers.add(clients.submit(() -> {
                go.await();
                return Deployment.get(port, "/bff/users/7/profile");
            }));
        }
        go.countDown();
        for (Future<RawHttp.Response> f : answers) {
            RawHttp.Response r = f.get();
            assertEquals(200, r.status(), r.text());
            assertNull(r.header("X-Outrigger-Partial"), r.text());
        }
        assertEquals(1, app.hits("/api/users/7"));
        assertEquals(1, orders.hits("/orders"));
        assertEquals(1, app.hits("/api/recommendations"));
    }

    @Test
    void aPurgeOfOnePartOnOneReplicaRefreshesOnlyThatPartOnTheOther() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        slowParts();
        assertEquals(200, Deployment.get(a.port(), "/bff/users/7/profile").status());
        Await.until(() -> a.coalescer().inFlight() == 0, "a's fetches are stored");
        // b reads what a stored (Redis), then keeps its own copies
        RawHttp.Response warm = Deployment.get(b.port(), "/bff/users/7/profile");
        assertEquals("HIT", warm.header("X-Cache"), warm.text());

        a.purgeBus().purge(new Purge(List.of("/api/recommendations?user=7"), List.of(), List.of(), false, false, 0))
                .await().indefinitely();
        Await.until(() -> b.purgeBus().purges().size() == 1, "the other replica heard the purge");
        RawHttp.Response r = Deployment.get(b.port(), "/bff/users/7/profile");

        assertEquals("miss", meta(r, "recs").getString("cache"), r.text());
        assertEquals("hit", meta(r, "user").getString("cache"));
        assertEquals("hit", meta(r, "orders").getString("cache"));
        assertEquals(2, app.hits("/api/recommendations"));
        assertEquals(1, app.hits("/api/users/7"));
        assertEquals(1, orders.hits("/orders"));
    }
}
