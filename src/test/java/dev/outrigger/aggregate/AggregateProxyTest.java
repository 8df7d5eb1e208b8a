package dev.outrigger.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.purge.Purge;
import dev.outrigger.rules.RouteSpec;
import dev.outrigger.rules.Routes;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Aggregates against real parts: the pod's application and a second service, both real HTTP servers with scripted
 * delays and failures, in front of one proxy (in-memory store). The parts run in parallel, each cached under its own
 * key and ttl; a failed optional part makes a partial 200, a failed required part a 502; a stale part is served when
 * its service is down and stale-if-error allows; bad bodies are failed parts; a purge of one part refreshes only it.
 * Across replicas over Redis: {@link AggregateDeploymentTest}.
 */
class AggregateProxyTest {

    static final CoalesceSettings NO_EARLY_REFRESH = new CoalesceSettings(true, Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 0, true, () -> 1.0);

    OriginServer app;
    OriginServer orders;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() {
        app = OriginServer.start();
        orders = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        app.close();
        orders.close();
    }

    /** The profile: user (required, 5m), orders (another service, 60s, its own timeout), recs (2m). */
    AggregateSpec profile(Duration timeout, Duration ordersTimeout, long maxPartSize) {
        return new AggregateSpec("profile", "/bff/users/{id}/profile", timeout, 502, List.of("Authorization", "Accept-Language"),
                maxPartSize, List.of(
                new AggregateSpec.Part("user", "/api/users/{id}", true, Optional.of(Duration.ofMinutes(5)), Optional.empty()),
                new AggregateSpec.Part("orders", orders.url() + "/orders?user={id}", false, Optional.of(Duration.ofSeconds(60)),
                        Optional.of(ordersTimeout)),
                new AggregateSpec.Part("recs", "/api/recommendations?user={id}", false, Optional.of(Duration.ofMinutes(2)),
                        Optional.empty())));
    }

    void proxy(AggregateSpec... aggregates) {
        proxy(Routes.NONE, aggregates);
    }

    void proxy(Routes routes, AggregateSpec... aggregates) {
        proxy(routes, false, aggregates);
    }

    void proxy(Routes routes, boolean debugHeaders, AggregateSpec... aggregates) {
        CacheSettings cache = CacheSettings.DEFAULT.withRoutes(routes, debugHeaders).withAggregates(Aggregates.compile(List.of(aggregates)));
        proxy = TestProxy.start(app, clock, null, cache, Leases.LOCAL, NO_EARLY_REFRESH);
    }

    /** The three parts answering JSON without any Cache-Control of their own (the parts' ttls decide). */
    void partsAnswer() {
        app.respond("/api/users/7", json("{\"id\":7,\"name\":\"Ada\"}"));
        orders.respond("/orders", json("[{\"order\":1}]"));
        app.respond("/api/recommendations", json("[\"book\",\"lamp\"]"));
    }

    static Response json(String body) {
        return Response.ok(body).header("Content-Type", "application/json");
    }

    static JsonObject body(RawHttp.Response r) {
        return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
    }

    static JsonObject meta(RawHttp.Response r, String part) {
        return body(r).getJsonObject("_meta").getJsonObject("parts").getJsonObject(part);
    }

    RawHttp.Response profile(String... headers) throws Exception {
        return proxy.get("/bff/users/7/profile", headers);
    }

    @Test
    void mergesThePartsWithTheirMeta() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();

        RawHttp.Response r = profile("Accept-Language: fr", "Cookie: session=s3cret", "X-Request-Id: profile-page-1");

        assertEquals(200, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals(dev.outrigger.policy.HttpDate.format(clock.instant()), r.header("Date"));
        assertNull(r.header("X-Outrigger-Partial"));
        assertEquals("MISS", r.header("X-Cache"));
        JsonObject b = body(r);
        assertEquals(new JsonObject().put("id", 7).put("name", "Ada"), b.getJsonObject("user"));
        assertEquals("[{\"order\":1}]", b.getJsonArray("orders").encode());
        assertEquals("[\"book\",\"lamp\"]", b.getJsonArray("recs").encode());
        assertEquals(List.of("user", "orders", "recs", "_meta"), new ArrayList<>(b.fieldNames()));
        assertFalse(b.getJsonObject("_meta").getBoolean("partial"));
        for (String part : List.of("user", "orders", "recs")) {
            assertEquals(200, meta(r, part).getInteger("status"));
            assertEquals("miss", meta(r, part).getString("cache"));
            assertTrue(meta(r, part).getLong("ms") >= 0);
        }
        // each part reached its service with the target expanded and the configured headers only
        assertEquals("/orders?user=7", orders.last("/orders").uri());
        assertEquals("127.0.0.1:" + orders.port(), orders.last("/orders").header("Host"));
        assertEquals("/api/recommendations?user=7", app.last("/api/recommendations").uri());
        assertEquals(TestProxy.HOST, app.last("/api/users/7").header("Host"));
        assertEquals("fr", app.last("/api/users/7").header("Accept-Language"));
        assertNull(app.last("/api/users/7").header("Cookie"), "only the configured headers reach the parts");
        assertNull(app.last("/api/users/7").header("X-Outrigger-Hop"), "the hop's marker never reaches the application");
        assertNull(orders.last("/orders").header("X-Outrigger-Hop"));
        assertEquals("profile-page-1", app.last("/api/users/7").header("X-Request-Id"), "the parts carry the aggregate's request id");
        assertEquals("profile-page-1", orders.last("/orders").header("X-Request-Id"));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.requests", "aggregate", "profile", "result", "complete"));
    }

    @Test
    void thePartsAreFetchedInParallel() throws Exception {
        proxy(profile(Duration.ofSeconds(10), Duration.ofSeconds(10), 1 << 20));
        // no part is answered until all three are waiting: one after the other, the first would never be answered
        List<HttpServerRequest> held = new ArrayList<>();
        AtomicInteger mostAtOnce = new AtomicInteger();
        io.vertx.core.Handler<HttpServerRequest> gate = req -> {
            List<HttpServerRequest> release = List.of();
            synchronized (held) {
                held.add(req);
                mostAtOnce.set(Math.max(mostAtOnce.get(), held.size()));
                if (held.size() == 3) {
                    release = new ArrayList<>(held);
                    held.clear();
                }
            }
            release.forEach(q -> q.response().putHeader("Content-Type", "application/json").end("{\"path\":\"" + q.path() + "\"}"));
        };
        app.on("/api/users/7", gate).on("/api/recommendations", gate);
        orders.on("/orders", gate);

        RawHttp.Response r = profile();

        assertEquals(200, r.status(), r.text());
        assertFalse(body(r).getJsonObject("_meta").getBoolean("partial"), r.text());
        assertEquals(3, mostAtOnce.get(), "all three parts were waiting at once");
        assertEquals("/orders", body(r).getJsonObject("orders").getString("path"));
    }

    @Test
    void eachPartIsCachedUnderItsOwnKeyAndTtl() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        profile();

        clock.advance(Duration.ofSeconds(30));
        RawHttp.Response second = profile();
        assertEquals("HIT", second.header("X-Cache"));
        for (String part : List.of("user", "orders", "recs")) {
            assertEquals("hit", meta(second, part).getString("cache"), part);
            assertEquals(30, meta(second, part).getLong("age"), part);
        }
        assertEquals(1, app.hits("/api/users/7"));
        assertEquals(1, orders.hits("/orders"));

        // orders lives 60s, recs 2m, user 5m: each expires on its own
        clock.advance(Duration.ofSeconds(60));
        RawHttp.Response third = profile();
        assertEquals("MISS", third.header("X-Cache"));
        assertEquals("miss", meta(third, "orders").getString("cache"));
        assertEquals("hit", meta(third, "recs").getString("cache"));
        assertEquals("hit", meta(third, "user").getString("cache"));
        assertEquals(2, orders.hits("/orders"));
        clock.advance(Duration.ofSeconds(60));
        RawHttp.Response fourth = profile();
        assertEquals("miss", meta(fourth, "recs").getString("cache"));
        assertEquals("hit", meta(fourth, "user").getString("cache"));
        assertEquals(1, app.hits("/api/users/7"));

        // a part's entry is the URL's entry: a client asking for it directly shares it
        RawHttp.Response direct = proxy.get("/api/users/7", "Accept: application/json", "Accept-Encoding: identity");
        assertEquals("HIT", direct.header("X-Cache"));
        assertEquals(1, app.hits("/api/users/7"));
    }

    @Test
    void anOptionalPartDownMakesAPartial200WithItsError() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        orders.respond("/orders", Response.status(503).body("down"));

        RawHttp.Response r = profile();

        assertEquals(200, r.status());
        assertEquals("true", r.header("X-Outrigger-Partial"));
        assertTrue(r.header("Cache-Status").contains("partial"), r.header("Cache-Status"));
        JsonObject b = body(r);
        assertFalse(b.containsKey("orders"), "a failed part has no member of its own");
        assertTrue(b.getJsonObject("_meta").getBoolean("partial"));
        assertEquals(503, meta(r, "orders").getInteger("status"));
        assertEquals("upstream answered 503", meta(r, "orders").getString("error"));
        assertEquals("Ada", b.getJsonObject("user").getString("name"));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.requests", "aggregate", "profile", "result", "partial"));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "orders", "reason", "status"));
    }

    @Test
    void aStoredErrorIsTheApplicationsAnswerWithDebugHeadersToo() throws Exception {
        proxy(Routes.NONE, true, profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        app.respond("/api/recommendations", Response.status(404).header("Cache-Control", "max-age=60").body("no such user"));
        profile();

        RawHttp.Response r = profile(); // the 404 now from the cache, its Cache-Status with a detail
        assertEquals("hit", meta(r, "recs").getString("cache"));
        assertEquals(404, meta(r, "recs").getInteger("status"));
        assertEquals("upstream answered 404", meta(r, "recs").getString("error"));
        assertEquals(2.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "recs", "reason", "status"));
    }

    @Test
    void aServiceThatCannotBeReachedIsAFailedPart() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        orders.suspend(); // connection refused

        RawHttp.Response r = profile();

        assertEquals(200, r.status());
        assertEquals(502, meta(r, "orders").getInteger("status"));
        assertFalse(meta(r, "orders").getString("error").isBlank());
        assertEquals(1.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "orders", "reason",
                "unreachable"));
        assertFalse(proxy.health().failing(), "another service's failures say nothing of the application's health");
    }

    @Test
    void aRequiredPartDownMakesA502WithTheSameBody() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        app.respond("/api/users/7", Response.status(500).body("boom"));

        RawHttp.Response r = profile();

        assertEquals(502, r.status());
        assertEquals("true", r.header("X-Outrigger-Partial"));
        JsonObject b = body(r);
        assertFalse(b.containsKey("user"));
        assertEquals("[\"book\",\"lamp\"]", b.getJsonArray("recs").encode());
        assertEquals(500, meta(r, "user").getInteger("status"));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.requests", "aggregate", "profile", "result", "failed"));
    }

    @Test
    void aRequiredPartRefusingTheClientsCredentialsIsThatRefusal() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        app.respond("/api/users/7", Response.status(401).header("WWW-Authenticate", "Bearer realm=\"shop\"").body("who?"));

        RawHttp.Response r = profile("Authorization: Bearer expired");

        assertEquals(401, r.status());
        assertEquals("Bearer realm=\"shop\"", r.header("WWW-Authenticate"));
        assertEquals("Bearer expired", app.last("/api/users/7").header("Authorization"));
    }

    @Test
    void aPartThatTimesOutIsAFailedPartWhoseFetchIsStillStored() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofMillis(200), 1 << 20));
        partsAnswer();
        orders.respond("/orders", json("[\"late\"]").delay(Duration.ofMillis(600)));

        RawHttp.Response r = profile();

        assertEquals(200, r.status());
        assertEquals(504, meta(r, "orders").getInteger("status"));
        assertEquals("timed out after 200ms", meta(r, "orders").getString("error"));
        assertTrue(meta(r, "orders").getLong("ms") >= 200);
        assertEquals(1.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "orders", "reason", "timeout"));
        // the fetch went on without the aggregate: its answer is stored, and the next aggregate has it
        Await.until(() -> orders.hits("/orders") == 1 && proxy.coalescer().inFlight() == 0, "the late answer is stored");
        RawHttp.Response next = profile();
        assertEquals("hit", meta(next, "orders").getString("cache"), next.text());
        assertEquals("[\"late\"]", body(next).getJsonArray("orders").encode());
        assertEquals(0, orders.aborted());
    }

    @Test
    void aClientNamingAServicesHostNeverFillsThatServicesPart() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        app.respond("/orders", json("[\"POISON from the pod's application\"]"));
        String service = "127.0.0.1:" + orders.port();
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            assertEquals(200, c.exchange("GET /orders?user=7 HTTP/1.1\nHost: " + service + "\n\n").status());
        }
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            assertEquals(200, c.exchange("GET http://" + service + "/orders?user=7 HTTP/1.1\nHost: " + service + "\n\n").status());
        }
        assertEquals(2, app.hits("/orders"), "both were the pod's application's to answer");

        RawHttp.Response r = profile();
        assertEquals("[{\"order\":1}]", body(r).getJsonArray("orders").encode());
        assertEquals("miss", meta(r, "orders").getString("cache"));
        assertEquals(1, orders.hits("/orders"));
    }

    @Test
    void onlyTheConfiguredCookiesReachTheParts() throws Exception {
        AggregateSpec spec = profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20);
        // parts neither looked up nor stored reach their services as the aggregate sent them (a cached part's fetch
        // carries only what its key holds)
        Routes passing = Routes.compile(List.of(RouteSpec.named("passing", "/**").withSwitches(false, false)), Optional.empty());
        proxy(passing, new AggregateSpec(spec.name(), spec.path(), spec.timeout(), 502, List.of(), List.of("session"), 1 << 20,
                spec.parts()));
        partsAnswer();

        profile("Cookie: tracking=t1; session=abc", "Cookie: other=o");

        assertEquals("session=abc", app.last("/api/users/7").header("Cookie"));
        assertEquals("session=abc", orders.last("/orders").header("Cookie"));
    }

    @Test
    void aStalePartIsServedWhenItsServiceIsDownAndStaleIfErrorAllows() throws Exception {
        AggregateSpec spec = profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20);
        // orders without a ttl of its own: its origin's Cache-Control decides, stale-if-error included
        spec = new AggregateSpec(spec.name(), spec.path(), spec.timeout(), 502, spec.headers(), spec.maxPartSize(), List.of(
                spec.parts().get(0), new AggregateSpec.Part("orders", orders.url() + "/orders?user={id}", false, Optional.empty(),
                        Optional.empty()), spec.parts().get(2)));
        proxy(spec);
        partsAnswer();
        orders.respond("/orders", json("[{\"order\":1}]").header("Cache-Control", "max-age=10, stale-if-error=600"));
        profile();

        clock.advance(Duration.ofSeconds(70));
        orders.respond("/orders", Response.status(503).body("down"));
        RawHttp.Response r = profile();

        assertEquals(200, r.status());
        assertNull(r.header("X-Outrigger-Partial"), r.text());
        assertEquals("stale", meta(r, "orders").getString("cache"));
        assertEquals(70, meta(r, "orders").getLong("age"));
        assertEquals("[{\"order\":1}]", body(r).getJsonArray("orders").encode());
        assertEquals(2, orders.hits("/orders"), "the service was asked, and failed");

        // past the stale-if-error window it is a failed part
        clock.advance(Duration.ofSeconds(600));
        RawHttp.Response late = profile();
        assertEquals("true", late.header("X-Outrigger-Partial"));
        assertEquals(503, meta(late, "orders").getInteger("status"));
    }

    @Test
    void aBodyThatIsNotJsonOrTooLargeIsAFailedPartNeverSpliced() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1024));
        app.respond("/api/users/7", json("{\"id\":7}"));
        orders.respond("/orders", Response.ok("<html>orders</html>").header("Content-Type", "text/html"));
        app.respond("/api/recommendations", json("[1,2], \"_meta\": {\"partial\": false}"));

        RawHttp.Response r = profile();
        assertEquals(200, r.status());
        JsonObject b = body(r); // the whole answer still parses
        assertEquals("not JSON: Content-Type text/html", meta(r, "orders").getString("error"));
        assertTrue(meta(r, "recs").getString("error").startsWith("invalid JSON"), meta(r, "recs").getString("error"));
        assertEquals(List.of("user", "_meta"), new ArrayList<>(b.fieldNames()));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "recs", "reason", "invalid"));

        app.respond("/api/recommendations", json("[\"" + "x".repeat(4096) + "\"]"));
        clock.advance(Duration.ofMinutes(3));
        RawHttp.Response large = profile();
        assertEquals("body larger than 1024 bytes", meta(large, "recs").getString("error"));
        assertEquals(1.0, proxy.counter("outrigger.aggregate.part.failures", "aggregate", "profile", "part", "recs", "reason", "too-large"));
    }

    @Test
    void aPurgeOfOnePartRefreshesOnlyThatPart() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        profile();

        proxy.purgeBus().purge(new Purge(List.of("/api/users/7"), List.of(), List.of(), false, false, 0)).await().indefinitely();
        RawHttp.Response r = profile();
        assertEquals("miss", meta(r, "user").getString("cache"));
        assertEquals("hit", meta(r, "orders").getString("cache"));
        assertEquals("hit", meta(r, "recs").getString("cache"));
        assertEquals(2, app.hits("/api/users/7"));
        assertEquals(1, app.hits("/api/recommendations"));

        // another service's part goes by its own URL
        proxy.purgeBus().purge(new Purge(List.of(orders.url() + "/orders?user=7"), List.of(), List.of(), false, false, 0))
                .await().indefinitely();
        RawHttp.Response again = profile();
        assertEquals("miss", meta(again, "orders").getString("cache"));
        assertEquals("hit", meta(again, "user").getString("cache"));
        assertEquals(2, orders.hits("/orders"));
    }

    @Test
    void perUserPartsStayPerUser() throws Exception {
        Routes routes = Routes.compile(List.of(RouteSpec.named("users", "/api/users/**")
                        .withPerUser(new RouteSpec.PerUser(Optional.of("Authorization"), Optional.empty(), Optional.empty()))),
                Optional.of("test-deployment-secret".getBytes(StandardCharsets.UTF_8)));
        proxy(routes, profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        app.on("/api/users/7", req -> {
            app.record(req, null);
            req.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "private, max-age=60")
                    .end(new JsonObject().put("for", req.getHeader("Authorization")).encode());
        });
        orders.respond("/orders", json("[]"));
        app.respond("/api/recommendations", json("[]"));

        assertEquals("Bearer ada", body(profile("Authorization: Bearer ada")).getJsonObject("user").getString("for"));
        assertEquals("Bearer bob", body(profile("Authorization: Bearer bob")).getJsonObject("user").getString("for"));
        RawHttp.Response adaAgain = profile("Authorization: Bearer ada");
        assertEquals("Bearer ada", body(adaAgain).getJsonObject("user").getString("for"));
        assertEquals("hit", meta(adaAgain, "user").getString("cache"));
        assertEquals(2, app.hits("/api/users/7"));
        RawHttp.Response anonymous = profile();
        assertEquals("miss", meta(anonymous, "user").getString("cache"), "nobody's request never gets a user's part");
    }

    @Test
    void variablesAreCheckedAndEncoded() throws Exception {
        AggregateSpec search = new AggregateSpec("search", "/bff/search/{section}", Duration.ofSeconds(5), 502, List.of(), 1 << 20,
                List.of(new AggregateSpec.Part("items", "/api/items/{section}?q={q}", true, Optional.empty(), Optional.empty())));
        AggregateSpec lookup = new AggregateSpec("lookup", "/bff/lookup", Duration.ofSeconds(5), 502, List.of(), 1 << 20,
                List.of(new AggregateSpec.Part("thing", "/api/things/{name}", true, Optional.empty(), Optional.empty())));
        proxy(search, lookup);
        app.on("/api/items/a%20b%2Fc", req -> {
            app.record(req, null);
            req.response().putHeader("Content-Type", "application/json").end("[]");
        });

        RawHttp.Response r = proxy.get("/bff/search/a%20b%2Fc?q=red+shoes%26more&other=1");
        assertEquals(200, r.status(), r.text());
        assertEquals("/api/items/a%20b%2Fc?q=red%20shoes%26more", app.last("/api/items/a%20b%2Fc").uri());

        RawHttp.Response missing = proxy.get("/bff/search/x");
        assertEquals(400, missing.status());
        assertEquals("missing query parameter 'q'", missing.text().trim());
        // a query value standing in a path segment cannot climb the path
        assertEquals(400, proxy.get("/bff/lookup?name=..").status());
        assertEquals(400, proxy.get("/bff/lookup?name=%2E").status());
        assertEquals(400, proxy.get("/bff/lookup?name=").status(), "an empty segment would change the path's shape");
        assertEquals(0, app.hits("/api/things/.."));
        assertEquals(1, app.hits("/api/items/a%20b%2Fc"));
    }

    @Test
    void anAggregateAnswersGetAndHeadOnly() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();

        RawHttp.Response post = proxy.request("POST", "/bff/users/7/profile", "Content-Length: 0");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));

        RawHttp.Response get = profile();
        RawHttp.Response head;
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            head = c.exchange("HEAD /bff/users/7/profile HTTP/1.1\nHost: " + TestProxy.HOST + "\n\n");
        }
        assertEquals(200, head.status());
        assertEquals(get.header("Content-Type"), head.header("Content-Type"));
        // the same document (its parts now hits): its length, without the body
        assertTrue(Integer.parseInt(head.header("Content-Length")) > 100, head.header("Content-Length"));
        assertEquals(0, head.body().length);
    }

    @Test
    void theApplicationSeesTheAggregatesClientNotTheLoopback() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        partsAnswer();
        // the client from another loopback address than the hop's 127.0.0.1 (Linux routes all of 127/8 to loopback)
        try (java.net.Socket s = new java.net.Socket()) {
            try {
                s.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            } catch (java.io.IOException e) {
                org.junit.jupiter.api.Assumptions.abort("no second loopback address here: " + e);
            }
            s.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.port()));
            s.getOutputStream().write(("GET /bff/users/7/profile HTTP/1.1\r\nHost: " + TestProxy.HOST
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        assertEquals("127.0.0.2", app.last("/api/users/7").header("X-Forwarded-For"));
        assertEquals("127.0.0.2", orders.last("/orders").header("X-Forwarded-For"));
        assertTrue(app.last("/api/users/7").header("Forwarded").startsWith("for=127.0.0.2;"), app.last("/api/users/7").header("Forwarded"));
    }

    @Test
    void aForgedMarkerIsRemovedAndIgnored() throws Exception {
        proxy(profile(Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20));
        app.respond("/orders", json("[\"the pod's own\"]"));
        orders.respond("/orders", json("[\"the orders service\"]"));

        RawHttp.Response r = proxy.get("/orders?user=7", "X-Outrigger-Hop: guessed a=0 p=1");

        assertEquals("[\"the pod's own\"]", r.text());
        assertNull(app.last("/orders").header("X-Outrigger-Hop"));
        assertEquals(0, orders.hits("/orders"));
    }
}
