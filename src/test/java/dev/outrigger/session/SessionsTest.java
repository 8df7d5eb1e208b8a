package dev.outrigger.session;

import dev.outrigger.coalesce.CoalesceListener;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.LocalCopies;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisStore;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestRedis;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token → session against a real RFC 7662 introspection endpoint (a Vert.x server on a random port) and a real
 * Redis shared by two replicas: one resolution per token for the deployment, rejections remembered, outages not,
 * expiry honoured, and the token nowhere in Redis.
 */
class SessionsTest {

    Vertx vertx;
    TestRedis redis;
    HttpServer introspection;
    final AtomicInteger calls = new AtomicInteger();
    final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    /** token → the JSON the endpoint answers; absent: inactive. */
    final Map<String, JsonObject> known = new ConcurrentHashMap<>();
    final AtomicReference<Integer> failWith = new AtomicReference<>();
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        redis = TestRedis.start();
        introspection = vertx.createHttpServer().requestHandler(req -> req.setExpectMultipart(true).endHandler(v -> {
            calls.incrementAndGet();
            Integer status = failWith.get();
            if (status != null) {
                req.response().setStatusCode(status).end("down");
                return;
            }
            String token = req.getFormAttribute("token");
            tokensSeen.add(token);
            JsonObject answer = known.get(token);
            // answer only once the test's burst has had time to pile up: the endpoint is slow, as they are
            vertx.setTimer(200, t -> req.response().putHeader("Content-Type", "application/json")
                    .end((answer == null ? new JsonObject().put("active", false) : answer).encode()));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        introspection.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    SessionSettings settings(Duration ttl) {
        return new SessionSettings(true, SessionSettings.Auth.REQUIRED, "Authorization", Optional.empty(),
                Optional.of(new SessionSettings.Introspection(URI.create("http://127.0.0.1:" + introspection.actualPort() + "/introspect"),
                        false, Optional.empty(), Optional.of("Basic b3V0cmlnZ2VyOnNlY3JldA=="), Duration.ofSeconds(2))),
                Optional.empty(), "X-Session", Map.of("X-User-Id", "sub"), ttl, Duration.ofSeconds(10), java.util.Set.of());
    }

    /** A replica: its own memory and coalescer, the deployment's Redis. */
    Sessions replica(Duration ttl, Clock clock) {
        RedisLeases leases = new RedisLeases(redis.client(), "orc:v1:", Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(1)).start();
        Coalescer coalescer = new Coalescer(vertx, leases, CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(5)), clock,
                CoalesceListener.NONE, LocalCopies.NONE);
        coalescer.whenListening().await().atMost(Duration.ofSeconds(5));
        closing.add(coalescer);
        CacheStore store = new FailOpenStore(new RedisStore(redis.client(), "orc:v1:"), Duration.ofSeconds(5), Duration.ofSeconds(5), 2,
                Duration.ofSeconds(5), clock, FailOpenStore.Listener.NONE);
        return new Sessions(settings(ttl), new IntrospectionResolver(WebClient.create(vertx), settings(ttl).introspection().get(), clock),
                Optional.of(store), coalescer,
                dev.outrigger.purge.PurgeBus.local(new dev.outrigger.purge.Purges(clock, Duration.ofMillis(100), Duration.ofDays(1)),
                        dev.outrigger.purge.PurgeBus.Listener.NONE), clock, Sessions.Listener.NONE);
    }

    static Resolution await(Uni<Resolution> r) {
        return r.await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aBurstOfOneUnknownTokenOnTwoReplicasIsResolvedOnce() throws Exception {
        known.put("tok-ada", new JsonObject().put("active", true).put("sub", "ada").put("scope", "orders"));
        Sessions a = replica(Duration.ofMinutes(5), Clock.systemUTC());
        Sessions b = replica(Duration.ofMinutes(5), Clock.systemUTC());
        List<Uni<Resolution>> burst = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            burst.add((i % 2 == 0 ? a : b).resolve("tok-ada"));
        }
        List<Resolution> all = Uni.join().all(burst).andFailFast().await().atMost(Duration.ofSeconds(20));
        for (Resolution r : all) {
            Resolution.Active active = assertInstanceOf(Resolution.Active.class, r);
            assertEquals("ada", active.session().getString("sub"));
        }
        assertEquals(1, calls.get(), "one introspection call for 40 requests on two replicas");
        assertEquals("{\"active\":true,\"sub\":\"ada\",\"scope\":\"orders\"}", ((Resolution.Active) all.get(0)).compact());
    }

    @Test
    void aRejectedTokenIsRememberedAndAnOutageIsNot() throws Exception {
        Sessions a = replica(Duration.ofMinutes(5), Clock.systemUTC());
        Sessions b = replica(Duration.ofMinutes(5), Clock.systemUTC());
        assertInstanceOf(Resolution.Rejected.class, await(a.resolve("tok-unknown")));
        assertInstanceOf(Resolution.Rejected.class, await(b.resolve("tok-unknown")), "the other replica reads the verdict from Redis");
        assertEquals(1, calls.get());

        known.put("tok-vague", new JsonObject().put("sub", "mallory")); // a 200 without "active": no verdict (RFC 7662 §2.2)
        assertInstanceOf(Resolution.Unavailable.class, await(a.resolve("tok-vague")));

        failWith.set(503);
        assertInstanceOf(Resolution.Unavailable.class, await(a.resolve("tok-other")));
        failWith.set(null);
        known.put("tok-other", new JsonObject().put("active", true).put("sub", "bob"));
        assertInstanceOf(Resolution.Active.class, await(a.resolve("tok-other")), "the outage was not remembered");
    }

    @Test
    void aSessionLivesNoLongerThanItsToken() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        known.put("tok-gone", new JsonObject().put("active", true).put("sub", "eve").put("exp", now - 1));
        known.put("tok-short", new JsonObject().put("active", true).put("sub", "ada").put("exp", now + 65));
        Sessions a = replica(Duration.ofMinutes(5), Clock.systemUTC());
        assertEquals(new Resolution.Rejected("expired"), await(a.resolve("tok-gone")));
        assertInstanceOf(Resolution.Active.class, await(a.resolve("tok-short")));
        long ttl = (Long) Resp.once(redis.server().port(), "TTL", "orc:v1:" + Sessions.key("tok-short"));
        assertTrue(ttl > 0 && ttl <= 60, "exp - now - leeway, not the 5 min ttl: " + ttl);
    }

    @Test
    void theTokenIsNowhereInRedis() throws Exception {
        known.put("tok-SECRET-ada", new JsonObject().put("active", true).put("sub", "ada"));
        Sessions a = replica(Duration.ofMinutes(5), Clock.systemUTC());
        await(a.resolve("tok-SECRET-ada"));
        await(a.resolve("tok-SECRET-unknown"));
        int port = redis.server().port();
        List<?> keys = (List<?>) Resp.once(port, "KEYS", "*");
        assertFalse(keys.isEmpty());
        for (Object k : keys) {
            String key = k.toString();
            assertFalse(key.contains("SECRET"), key);
            Object type = Resp.once(port, "TYPE", key);
            if ("string".equals(String.valueOf(type))) {
                assertFalse(String.valueOf(Resp.once(port, "GET", key)).contains("SECRET"), key);
            }
        }
        assertTrue(keys.stream().anyMatch(k -> k.toString().equals("orc:v1:" + Sessions.key("tok-SECRET-ada"))), keys.toString());
        assertEquals(List.of("tok-SECRET-ada", "tok-SECRET-unknown"), tokensSeen, "the endpoint did get them, as form fields");
    }
}
