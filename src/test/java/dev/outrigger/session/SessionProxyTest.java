package dev.outrigger.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.client.OutboundClient;
import dev.outrigger.rules.RouteSpec;
import dev.outrigger.rules.Routes;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions through the proxy: two replicas over real Redis, a real origin and a real introspection endpoint. The
 * application sees the session the token resolves to, never one a client made up; requests without a valid
 * token never reach it on a required route.
 */
class SessionProxyTest {

    Vertx vertx;
    TestRedis redis;
    OriginServer origin;
    Deployment deployment;
    HttpServer introspection;
    final AtomicInteger introspected = new AtomicInteger();
    final AtomicReference<Integer> introspectionFails = new AtomicReference<>();
    final ExecutorService clients = Executors.newCachedThreadPool();

    /** Everything logged while a test runs, formatted: the tokens must never be in it. */
    final List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.logging.Handler capture = new java.util.logging.Handler() {
        final java.util.logging.SimpleFormatter format = new java.util.logging.SimpleFormatter();

        @Override
        public void publish(java.util.logging.LogRecord record) {
            logged.add(format.formatMessage(record) + " " + (record.getThrown() == null ? "" : record.getThrown().toString()));
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    };

    @BeforeEach
    void start() throws Exception {
        java.util.logging.Logger.getLogger("").addHandler(capture);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.ALL);
        vertx = Vertx.vertx();
        redis = TestRedis.start();
        origin = OriginServer.start();
        deployment = new Deployment(redis, origin);
        introspection = vertx.createHttpServer().requestHandler(req -> req.setExpectMultipart(true).endHandler(v -> {
            introspected.incrementAndGet();
            Integer status = introspectionFails.get();
            if (status != null) {
                req.response().setStatusCode(status).end();
                return;
            }
            String token = req.getFormAttribute("token");
            JsonObject answer = token.startsWith("good-")
                    ? new JsonObject().put("active", true).put("sub", token.substring(5)).put("name", "José")
                    : token.startsWith("nosub-") ? new JsonObject().put("active", true).put("client", "batch")
                    : new JsonObject().put("active", false);
            vertx.setTimer(100, t -> req.response().putHeader("Content-Type", "application/json").end(answer.encode()));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        origin.on("/api/me", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "public, max-age=60")
                    .end("session=" + req.getHeader("X-Session") + " user=" + req.getHeader("X-User-Id"));
        });
        origin.on("/api/orders", req -> {
            origin.record(req, null);
            JsonObject session = req.getHeader("X-Session") == null ? null : new JsonObject(req.getHeader("X-Session"));
            req.response().putHeader("Cache-Control", "private, max-age=60")
                    .end("orders of " + (session == null ? "nobody" : session.getString("sub", "no sub")) + " #" + origin.hits("/api/orders"));
        });
        origin.on("/logout", req -> {
            origin.record(req, null);
            req.response().end("bye " + req.getHeader("X-User-Id"));
        });
        origin.on("/public", req -> {
            origin.record(req, null);
            req.response().end("session=" + req.getHeader("X-Session") + " forged=" + req.getHeader("x_session"));
        });
    }

    @AfterEach
    void stop() throws Exception {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        for (String line : logged) {
            assertTrue(!line.contains("good-") && !line.contains("nope") && !line.contains("bogus"), "a token in the log: " + line);
        }
        clients.shutdownNow();
        deployment.close();
        origin.close();
        introspection.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    SessionSettings settings() {
        return new SessionSettings(true, SessionSettings.Auth.REQUIRED, "Authorization", Optional.empty(),
                Optional.of(new SessionSettings.Introspection(URI.create("http://127.0.0.1:" + introspection.actualPort() + "/introspect"),
                        false, Optional.empty(), Optional.empty(), Duration.ofSeconds(2))),
                Optional.empty(), "X-Session", Map.of("X-User-Id", "sub"), Duration.ofMinutes(5), Duration.ofSeconds(10), java.util.Set.of("/logout"));
    }

    TestProxy replica() throws Exception {
        Routes routes = Routes.compile(List.of(RouteSpec.named("public", "/public").withAuth("optional"),
                RouteSpec.named("orders", "/api/orders").withPerUser(RouteSpec.PerUser.session("sub"))),
                Optional.of("one-secret-for-the-deployment".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return deployment.replica(CacheSettings.DEFAULT.withRoutes(routes, false), (l2, v, coalescer, purgeBus, meters) ->
                new SessionGate(settings(), Sessions.introspecting(settings(), OutboundClient.create(v), Optional.of(l2), coalescer,
                        purgeBus, Clock.systemUTC(), meters.sessionListener())));
    }

    @Test
    void theAppGetsTheSessionOncePerTokenForTheWholeDeployment() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        List<CompletableFuture<RawHttp.Response>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestProxy p = i % 2 == 0 ? a : b;
            burst.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return p.get("/api/me", "Authorization: Bearer good-ada", "X-Session: {\"sub\":\"admin\"}", "X-USER-ID: admin");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, clients));
        }
        for (CompletableFuture<RawHttp.Response> r : burst) {
            RawHttp.Response response = r.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.status());
            assertEquals("session={\"active\":true,\"sub\":\"ada\",\"name\":\"Jos\\u00e9\"} user=ada", response.text(),
                    "the resolved session, never the client's; non-ASCII escaped so it survives as a header");
            assertEquals("BYPASS", response.header("X-Cache"), "a user's answer is not shared through the cache");
        }
        assertEquals(1, introspected.get(), "20 requests on two replicas: one introspection call");
        assertEquals(1.0, a.counter("outrigger.session.lookups", "outcome", "miss") + b.counter("outrigger.session.lookups", "outcome", "miss"));
    }

    @Test
    void anAggregatesPartsEachTakeTheSessionStep() throws Exception {
        Routes routes = Routes.compile(List.of(RouteSpec.named("orders", "/api/orders").withPerUser(RouteSpec.PerUser.session("sub")),
                        RouteSpec.named("public", "/public").withAuth("optional")),
                Optional.of("one-secret-for-the-deployment".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        // X-Session in an aggregate's headers forwards the token (as AggregateConfig reads it with sessions on)
        dev.outrigger.aggregate.Aggregates page = dev.outrigger.aggregate.Aggregates.compile(List.of(new dev.outrigger.aggregate.AggregateSpec(
                "page", "/bff/page", Duration.ofSeconds(5), 502, List.of("Authorization"), 1 << 20, List.of(
                new dev.outrigger.aggregate.AggregateSpec.Part("orders", "/api/orders", true, Optional.empty(), Optional.empty()),
                new dev.outrigger.aggregate.AggregateSpec.Part("public", "/public", false, Optional.empty(), Optional.empty())))));
        TestProxy a = deployment.replica(CacheSettings.DEFAULT.withRoutes(routes, false).withAggregates(page),
                (l2, v, coalescer, purgeBus, meters) -> new SessionGate(settings(), Sessions.introspecting(settings(),
                        OutboundClient.create(v), Optional.of(l2), coalescer, purgeBus, Clock.systemUTC(), meters.sessionListener())));
        origin.on("/api/orders", req -> {
            origin.record(req, null);
            JsonObject session = new JsonObject(req.getHeader("X-Session"));
            req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "private, max-age=60")
                    .end(new JsonObject().put("of", session.getString("sub")).encode());
        });
        origin.on("/public", req -> req.response().putHeader("Content-Type", "application/json").end("\"hello\""));

        RawHttp.Response ada = a.get("/bff/page", "Authorization: Bearer good-ada");
        assertEquals(200, ada.status(), ada.text());
        assertEquals("ada", new JsonObject(ada.text()).getJsonObject("orders").getString("of"), "the part's app got the session");
        RawHttp.Response bob = a.get("/bff/page", "Authorization: Bearer good-bob");
        assertEquals("bob", new JsonObject(bob.text()).getJsonObject("orders").getString("of"));
        RawHttp.Response adaAgain = a.get("/bff/page", "Authorization: Bearer good-ada");
        assertEquals("ada", new JsonObject(adaAgain.text()).getJsonObject("orders").getString("of"));
        assertEquals("hit", new JsonObject(adaAgain.text()).getJsonObject("_meta").getJsonObject("parts").getJsonObject("orders")
                .getString("cache"), "per user by the session's sub, as the route says");
        assertEquals(2, origin.hits("/api/orders"));

        // the required part's route needs a token: the aggregate is that refusal
        RawHttp.Response none = a.get("/bff/page");
        assertEquals(401, none.status(), none.text());
        assertEquals("Bearer", none.header("WWW-Authenticate"));
        assertEquals(2, introspected.get(), "one introspection per token, the parts' included");
    }

    @Test
    void withoutAValidTokenNothingReachesTheAppOnARequiredRoute() throws Exception {
        TestProxy a = replica();
        RawHttp.Response none = a.get("/api/me");
        assertEquals(401, none.status());
        assertEquals("Bearer", none.header("WWW-Authenticate"));
        RawHttp.Response bad = a.get("/api/me", "Authorization: Bearer nope");
        assertEquals(401, bad.status());
        assertEquals("Bearer error=\"invalid_token\"", bad.header("WWW-Authenticate"));
        a.get("/api/me", "Authorization: Bearer nope");
        assertEquals(1, introspected.get(), "the rejection is remembered");

        introspectionFails.set(503);
        RawHttp.Response down = a.get("/api/me", "Authorization: Bearer good-bob");
        assertEquals(503, down.status(), "the resolver cannot say: not the client's fault, not a pass");
        introspectionFails.set(null);
        assertEquals(200, a.get("/api/me", "Authorization: Bearer good-bob").status(), "the outage was not remembered");
        assertEquals(1, origin.hits("/api/me"), "only the resolved request reached the application");
    }

    @Test
    void forgedSessionHeadersAreRemovedEvenWhereSessionsAreOff() throws Exception {
        TestProxy a = replica();
        RawHttp.Response anonymous = a.get("/public", "x_session: forged", "X-Session: forged");
        assertEquals(200, anonymous.status(), "an optional route forwards a request without a token");
        assertEquals("session=null forged=null", anonymous.text());
        RawHttp.Response withSession = a.get("/public", "Authorization: Bearer good-eve");
        assertTrue(withSession.text().contains("\"sub\":\"eve\""), withSession.text());
        RawHttp.Response named = a.get("/api/me", "Authorization: Bearer good-eve", "Connection: X-Session, x_user_id");
        assertTrue(named.text().contains("\"sub\":\"eve\"") && named.text().endsWith("user=eve"),
                "a Connection naming the session headers cannot make the proxy drop them: " + named.text());

        try (TestProxy plain = TestProxy.start(origin, s -> s)) {
            RawHttp.Response off = plain.get("/public", "X-SESSION: forged", "x_Session: forged");
            assertEquals("session=null forged=null", off.text(), "sessions off: still never passed through");
            assertNull(origin.last("/public").header("X-Session"));
        }
    }

    @Test
    void aLogoutOnOneReplicaRevokesTheSessionOnEveryReplica() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        assertEquals(200, a.get("/api/me", "Authorization: Bearer good-ada").status());
        assertEquals(200, b.get("/api/me", "Authorization: Bearer good-ada").status());
        assertEquals(1, introspected.get(), "both replicas hold the session");

        RawHttp.Response bye = a.get("/logout", "Authorization: Bearer good-ada");
        assertEquals("bye ada", bye.text(), "the application still gets the session it is ending");
        long revoked = System.nanoTime();
        // the other replica hears the revocation over the purge broadcast: its copy is dead, the token refused
        dev.outrigger.testsupport.Await.until(() -> {
            try {
                return b.get("/api/me", "Authorization: Bearer good-ada").status() == 401;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(5), "the other replica dropped its copy");
        long tookMs = (System.nanoTime() - revoked) / 1_000_000;
        System.out.println("revocation reached the other replica's memory in " + tookMs + " ms");
        assertEquals(1, introspected.get(), "refused without asking the resolver, which may not know of the logout yet");
        assertEquals(1, origin.hits("/logout"));

        // a logout with a token that is not valid revokes nothing (no purge record for strangers to pile up)
        double purgesBefore = a.counter("outrigger.purges", "kind", "tag", "mode", "hard");
        assertEquals(401, a.get("/logout", "Authorization: Bearer bogus").status());
        assertEquals(purgesBefore, a.counter("outrigger.purges", "kind", "tag", "mode", "hard"));
    }

    @Test
    void aRouteKeyedBySessionFieldCachesEachUsersAnswersForThatUserAlone() throws Exception {
        TestProxy a = replica();
        TestProxy b = replica();
        RawHttp.Response ada = a.get("/api/orders", "Authorization: Bearer good-ada");
        assertEquals("orders of ada #1", ada.text());
        assertEquals("MISS", ada.header("X-Cache"), "private, yet stored: under Ada's key alone");
        assertNull(origin.last("/api/orders").header("Authorization"), "the fetch stored for Ada carries her session, not her token");
        RawHttp.Response adaAgain = a.await("HIT", "/api/orders", "Authorization: Bearer good-ada");
        assertEquals("orders of ada #1", adaAgain.text());
        RawHttp.Response bob = a.get("/api/orders", "Authorization: Bearer good-bob");
        assertEquals("orders of bob #2", bob.text(), "another user is never served Ada's");
        assertEquals("orders of bob #2", a.await("HIT", "/api/orders", "Authorization: Bearer good-bob").text());
        assertEquals("orders of ada #1", b.await("HIT", "/api/orders", "Authorization: Bearer good-ada").text(),
                "Ada's entry is hers on the other replica too");

        RawHttp.Response noSub = a.get("/api/orders", "Authorization: Bearer nosub-1");
        assertEquals("BYPASS", noSub.header("X-Cache"), "a session without the field is keyed as nobody's: never cached");
        assertEquals("orders of no sub #3", noSub.text());
        assertEquals("BYPASS", a.get("/api/orders", "Authorization: Bearer nosub-1").header("X-Cache"));
        assertEquals("BYPASS", a.get("/api/orders", "Authorization: Bearer good-").header("X-Cache"), "an empty sub names nobody either");
        assertEquals(5, origin.hits("/api/orders"));
    }
}
