package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.rules.RouteSpec;
import dev.outrigger.rules.Routes;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Route rules on two replicas sharing a real Redis: what one stores under a route's key the other serves,
 * judged by the same route lifetime; a user's entry is that user's on every replica and nobody else's on any.
 */
class RouteSharingTest {

    static TestRedis redis;

    OriginServer origin;
    Deployment deployment;
    TestProxy a;
    TestProxy b;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void start() throws Exception {
        redis.flush();
        origin = OriginServer.start();
        deployment = new Deployment(redis, origin);
        // one secret for the deployment, as a Kubernetes Secret gives every replica
        Routes routes = Routes.compile(List.of(
                RouteSpec.named("account", "/api/me/**").withPerUser(RouteSpec.PerUser.header("Authorization"))
                        .withTtl(Duration.ofMinutes(1), "fallback"),
                RouteSpec.named("products", "/api/products/**").withTtl(Duration.ofMinutes(5), "fallback")
                        .withKey(new RouteSpec.Key(List.of(), List.of("utm_*"), false, true, List.of(), List.of()))),
                Optional.of("one-secret-for-the-deployment".getBytes(StandardCharsets.UTF_8)));
        CacheSettings cache = CacheSettings.DEFAULT.withRoutes(routes, false);
        CoalesceSettings coalesce = CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5));
        a = deployment.replica(Clock.systemUTC(), coalesce, cache);
        b = deployment.replica(Clock.systemUTC(), coalesce, cache);
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
    }

    /** Asks {@code replica} until it answers from the cache (the other replica's write lands a moment after its answer). */
    static RawHttp.Response hitOn(TestProxy replica, String target, String... headers) throws InterruptedException {
        RawHttp.Response[] last = new RawHttp.Response[1];
        Await.until(() -> {
            last[0] = Deployment.get(replica.port(), target, headers);
            return "HIT".equals(last[0].header("X-Cache"));
        }, target + " a hit");
        return last[0];
    }

    @Test
    void aUsersEntryIsSharedAcrossReplicasForThatUserAlone() throws Exception {
        origin.on("/api/me/orders", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "private").end("orders of " + req.getHeader("Authorization"));
        });
        assertEquals("orders of Bearer ada", Deployment.get(a.port(), "/api/me/orders", "Authorization: Bearer ada").text());
        assertEquals("orders of Bearer ada", hitOn(b, "/api/me/orders", "Authorization: Bearer ada").text(),
                "stored by one replica, served by the other to the same user");
        assertEquals(1, origin.hits("/api/me/orders"));

        RawHttp.Response bobOnB = Deployment.get(b.port(), "/api/me/orders", "Authorization: Bearer bob");
        assertEquals("MISS", bobOnB.header("X-Cache"));
        assertEquals("orders of Bearer bob", bobOnB.text());
        RawHttp.Response anonymousOnA = Deployment.get(a.port(), "/api/me/orders");
        assertEquals("orders of null", anonymousOnA.text(), "no identity: never someone's entry");
        assertEquals("orders of Bearer bob", hitOn(a, "/api/me/orders", "Authorization: Bearer bob").text());
        assertEquals("orders of Bearer ada", hitOn(a, "/api/me/orders", "Authorization: Bearer ada").text());
        assertEquals(3, origin.hits("/api/me/orders"));
    }

    @Test
    void aRouteKeyAndLifetimeHoldOnEveryReplica() throws Exception {
        origin.on("/api/products/1", req -> {
            origin.record(req, null);
            req.response().end("product " + req.uri()); // no Cache-Control: the route's fallback ttl makes it storable
        });
        long before = System.nanoTime();
        assertEquals("product /api/products/1?page=2", Deployment.get(a.port(), "/api/products/1?utm_source=x&page=2").text());
        RawHttp.Response onB = hitOn(b, "/api/products/1?page=2&utm_medium=y");
        assertEquals("product /api/products/1?page=2", onB.text());
        String status = onB.header("Cache-Status");
        int ttl = Integer.parseInt(status.substring(status.indexOf("ttl=") + 4).split(";")[0].trim());
        // its age is at most the time since it was fetched (whole seconds, rounded up, plus the Date's rounding)
        long elapsed = Duration.ofNanos(System.nanoTime() - before).toSeconds() + 2;
        assertTrue(ttl <= 300 && ttl >= 300 - elapsed, "judged by the route's 5-minute ttl on the other replica: " + status);
        assertEquals(1, origin.hits("/api/products/1"));
    }
}
