package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-route rules against a real origin: lifetimes by ttl-mode and status, stale windows, what the key keeps
 * (and the origin therefore sees), per-user entries, the lookup and store switches, route tags, the route
 * tag of the requests counter and the debug headers. Sharing across replicas: {@link RouteSharingTest}.
 */
class RouteRulesTest {

    static final CoalesceSettings NO_EARLY_REFRESH = new CoalesceSettings(true, Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 0, true, () -> 1.0);
    static final Optional<byte[]> SECRET = Optional.of("test-deployment-secret".getBytes(StandardCharsets.UTF_8));

    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    void proxy(boolean debug, RouteSpec... routes) {
        CacheSettings cache = CacheSettings.DEFAULT.withRoutes(Routes.compile(List.of(routes), SECRET), debug);
        proxy = TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock), cache, Leases.LOCAL, NO_EARLY_REFRESH);
    }

    void proxy(RouteSpec... routes) {
        proxy(false, routes);
    }

    /** An origin path that answers {@code body-<n>} (n counting its requests) with the given headers. */
    AtomicInteger counting(String path, int status, String... headers) {
        AtomicInteger n = new AtomicInteger();
        origin.on(path, req -> {
            origin.record(req, null);
            var resp = req.response().setStatusCode(status);
            for (int i = 0; i < headers.length; i += 2) {
                resp.putHeader(headers[i], headers[i + 1]);
            }
            resp.end("body-" + n.incrementAndGet());
        });
        return n;
    }

    RawHttp.Response get(String target, String... headers) throws Exception {
        return proxy.get(target, headers);
    }

    /**
     * Responses the proxy judged storable so far. On a first fetch it judges before the client gets the head,
     * so a fetched response the client has in hand that left this unchanged was not stored and never will be.
     * (Not a test of revalidations: a 304 refreshes an entry without a capture.)
     */
    double captures() {
        return proxy.counter("outrigger.cache.captures");
    }

    /** Asks until stored (the store is written after the client has its response). */
    RawHttp.Response hit(String target, String... headers) throws Exception {
        return proxy.await("HIT", target, headers);
    }

    @Test
    void fallbackGivesTheTtlToResponsesWithoutALifetimeOfTheirOwn() throws Exception {
        proxy(RouteSpec.named("products", "/api/products/**").withTtl(Duration.ofMinutes(5), "fallback"));
        counting("/api/products/1", 200);
        counting("/api/products/2", 200, "Cache-Control", "max-age=10");

        assertEquals("MISS", get("/api/products/1").header("X-Cache"));
        assertEquals("body-1", hit("/api/products/1").text());
        assertTrue(get("/api/products/1").header("Cache-Status").contains("ttl=300"), "judged by the route's ttl");
        assertNull(get("/api/products/1").header("Cache-Control"), "clients see the origin's own headers");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals("body-2", get("/api/products/1").text(), "stale after the route's ttl: fetched again");

        get("/api/products/2");
        hit("/api/products/2");
        clock.advance(Duration.ofSeconds(11));
        assertEquals("MISS", get("/api/products/2").header("X-Cache"), "the origin's own max-age wins in fallback");
    }

    @Test
    void overrideStoresWhatTheOriginSaidNotToReuseButNeverPrivateOrNoStore() throws Exception {
        proxy(RouteSpec.named("catalogue", "/c/**").withTtl(Duration.ofMinutes(1), "override"));
        AtomicInteger noCache = counting("/c/no-cache", 200, "Cache-Control", "no-cache, max-age=0");
        AtomicInteger personal = counting("/c/private", 200, "Cache-Control", "private, max-age=600");
        AtomicInteger never = counting("/c/no-store", 200, "Cache-Control", "no-store");

        get("/c/no-cache");
        assertEquals("body-1", hit("/c/no-cache").text());
        assertEquals("no-cache, max-age=0", get("/c/no-cache").header("Cache-Control"));
        assertEquals(1, noCache.get());
        double before = captures();
        for (int i = 0; i < 3; i++) {
            assertEquals("MISS", get("/c/private").header("X-Cache"));
            assertEquals("MISS", get("/c/no-store").header("X-Cache"));
        }
        assertEquals(3, personal.get());
        assertEquals(3, never.get());
        assertEquals(before, captures(), "neither was judged storable");
    }

    @Test
    void respectOriginCapsTheOriginsLifetimeAtTheTtl() throws Exception {
        proxy(RouteSpec.named("news", "/news").withTtl(Duration.ofSeconds(30), "respect-origin"));
        AtomicInteger n = counting("/news", 200, "Cache-Control", "max-age=3600");
        get("/news");
        hit("/news");
        clock.advance(Duration.ofSeconds(31));
        get("/news");
        assertEquals(2, n.get(), "stale after 30 s, though the origin said an hour");
    }

    @Test
    void statusTtlStoresErrorsForTheirOwnTimeAndZeroNever() throws Exception {
        proxy(RouteSpec.named("products", "/p/**").withTtl(Duration.ofMinutes(5), "fallback")
                .withStatusTtl(Map.of("404", Duration.ofSeconds(30), "200", Duration.ZERO, "500", Duration.ofSeconds(5))));
        AtomicInteger missing = counting("/p/gone", 404);
        AtomicInteger ok = counting("/p/never", 200, "Cache-Control", "max-age=60");
        AtomicInteger broken = counting("/p/broken", 500);

        get("/p/gone");
        assertEquals(404, hit("/p/gone").status());
        clock.advance(Duration.ofSeconds(31));
        get("/p/gone");
        assertEquals(2, missing.get());

        double before = captures();
        get("/p/never");
        get("/p/never");
        assertEquals(2, ok.get(), "status-ttl 0: never stored, whatever the origin says");
        assertEquals(before, captures());

        get("/p/broken");
        assertEquals(500, hit("/p/broken").status());
        assertEquals(1, broken.get());
    }

    @Test
    void routeStaleWindowsServeStaleWhileRevalidatingAndOnError() throws Exception {
        proxy(RouteSpec.named("p", "/p/**").withStale(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMinutes(10))));
        AtomicInteger n = counting("/p/swr", 200, "Cache-Control", "max-age=10");
        get("/p/swr");
        hit("/p/swr");
        clock.advance(Duration.ofSeconds(20));
        RawHttp.Response stale = get("/p/swr");
        assertEquals("STALE", stale.header("X-Cache"));
        assertEquals("body-1", stale.text());
        Await.until(() -> n.get() == 2, "the background refresh");

        AtomicInteger up = new AtomicInteger();
        origin.on("/p/sie", req -> {
            origin.record(req, null);
            if (up.getAndIncrement() == 0) {
                req.response().putHeader("Cache-Control", "max-age=10").end("good");
            } else {
                req.response().setStatusCode(503).end("down");
            }
        });
        get("/p/sie");
        hit("/p/sie");
        clock.advance(Duration.ofMinutes(5));
        RawHttp.Response onError = get("/p/sie");
        assertEquals(200, onError.status());
        assertEquals("good", onError.text());
        assertEquals("STALE", onError.header("X-Cache"));
    }

    @Test
    void theKeyKeepsOnlyTheQueryItNamesAndTheOriginSeesTheSame() throws Exception {
        proxy(RouteSpec.named("search", "/search").withKey(new RouteSpec.Key(List.of("page", "q"), List.of(), false, true, List.of(), List.of())),
                RouteSpec.named("list", "/list").withKey(new RouteSpec.Key(List.of(), List.of("utm_*", "fbclid"), false, true, List.of(), List.of())),
                RouteSpec.named("home", "/home").withKey(new RouteSpec.Key(List.of(), List.of(), true, true, List.of(), List.of())));
        AtomicInteger search = counting("/search", 200, "Cache-Control", "max-age=60");
        AtomicInteger list = counting("/list", 200, "Cache-Control", "max-age=60");
        AtomicInteger home = counting("/home", 200, "Cache-Control", "max-age=60");

        get("/search?q=shoe&utm_source=mail&page=2");
        assertEquals("/search?page=2&q=shoe", origin.last("/search").uri(), "dropped parameters are not forwarded either");
        hit("/search?page=2&q=shoe&session=x");
        assertEquals(1, search.get());
        assertEquals("MISS", get("/search?page=3&q=shoe").header("X-Cache"));

        get("/list?utm_source=a&fbclid=1&cat=7");
        assertEquals("/list?cat=7", origin.last("/list").uri());
        hit("/list?cat=7&utm_medium=b");
        assertEquals(1, list.get());

        get("/home?anything=1");
        assertEquals("/home", origin.last("/home").uri());
        hit("/home?other=2");
        assertEquals(1, home.get());
    }

    @Test
    void keyedHeadersAndCookiesMakeEntriesOfTheirOwnAndOtherCookiesStayHere() throws Exception {
        proxy(RouteSpec.named("p", "/p").withKey(new RouteSpec.Key(List.of(), List.of(), false, true, List.of("Accept-Language"),
                List.of("currency"))));
        origin.on("/p", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60")
                    .end(req.getHeader("Accept-Language") + "/" + req.getHeader("Cookie"));
        });
        assertEquals("fr/currency=EUR", get("/p", "Accept-Language: fr", "Cookie: session=s3cret; currency=EUR").text());
        assertEquals("currency=EUR", origin.last("/p").header("Cookie"), "the session cookie is not keyed, so not forwarded");
        assertEquals("fr/currency=EUR", hit("/p", "Accept-Language: fr", "Cookie: currency=EUR; theme=dark").text());
        assertEquals("de/currency=EUR", get("/p", "Accept-Language: de", "Cookie: currency=EUR").text());
        assertEquals("fr/currency=USD", get("/p", "Accept-Language: fr", "Cookie: currency=USD").text());
        assertEquals("fr/null", get("/p", "Accept-Language: fr").text(), "no cookie is another entry, not an empty one");
        assertEquals(4, origin.hits("/p"));
    }

    @Test
    void perUserEntriesAreStoredPerUserAndNeverServedToAnother() throws Exception {
        proxy(RouteSpec.named("me", "/api/me/**").withPerUser(RouteSpec.PerUser.header("Authorization"))
                .withTtl(Duration.ofSeconds(30), "fallback"));
        origin.on("/api/me/profile", req -> {
            origin.record(req, null);
            String who = req.getHeader("Authorization");
            req.response().putHeader("Cache-Control", "private").end(who == null ? "anonymous" : "profile of " + who);
        });
        assertEquals("profile of Bearer ada", get("/api/me/profile", "Authorization: Bearer ada").text());
        assertEquals("profile of Bearer ada", hit("/api/me/profile", "Authorization: Bearer ada").text(),
                "private, yet stored: under Ada's key alone");
        RawHttp.Response bob = get("/api/me/profile", "Authorization: Bearer bob");
        assertEquals("MISS", bob.header("X-Cache"));
        assertEquals("profile of Bearer bob", bob.text());
        double before = captures();
        RawHttp.Response anonymous = get("/api/me/profile");
        assertEquals("anonymous", anonymous.text());
        assertEquals(before, captures(), "a private answer to a request without identity is not shared, even among the anonymous");
        assertEquals("profile of Bearer bob", hit("/api/me/profile", "Authorization: Bearer bob").text());
        assertEquals(3, origin.hits("/api/me/profile"));
    }

    @Test
    void lookupAndStoreAreSeparateSwitches() throws Exception {
        RouteSpec.Match refreshing = new RouteSpec.Match(Optional.of("/p"), List.of(), Optional.empty(), Map.of("X-Refresh", "*"));
        RouteSpec.Match previewing = new RouteSpec.Match(Optional.of("/p"), List.of(), Optional.empty(), Map.of("X-Preview", "*"));
        proxy(RouteSpec.named("cart", "/api/cart/**").withSwitches(false, false),
                RouteSpec.named("refresh", "/").withMatch(refreshing).withSwitches(false, true),
                RouteSpec.named("preview", "/").withMatch(previewing).withSwitches(true, false),
                RouteSpec.named("p", "/p"));
        AtomicInteger cart = counting("/api/cart/items", 200, "Cache-Control", "public, max-age=600");
        AtomicInteger p = counting("/p", 200, "Cache-Control", "max-age=600");

        for (int i = 0; i < 3; i++) {
            RawHttp.Response r = get("/api/cart/items");
            assertEquals("BYPASS", r.header("X-Cache"));
            assertTrue(r.header("Cache-Status").contains("fwd=bypass"), r.header("Cache-Status"));
        }
        assertEquals(3, cart.get(), "never answered from the cache, never stored");

        double before = captures();
        assertEquals("MISS", get("/p", "X-Preview: 1").header("X-Cache"));
        assertEquals(before, captures(), "what a store: false route fetched is not stored");
        assertEquals("MISS", get("/p").header("X-Cache"));
        assertEquals("body-2", hit("/p").text());
        assertEquals("HIT", get("/p", "X-Preview: 1").header("X-Cache"), "but it is answered from what others stored");
        RawHttp.Response refreshed = get("/p", "X-Refresh: 1");
        assertEquals("BYPASS", refreshed.header("X-Cache"));
        assertEquals("body-3", refreshed.text(), "lookup: false always asks the origin");
        assertEquals("body-3", proxy.await("HIT", "/p").text(), "and what it fetched replaces the stored entry");
    }

    @Test
    void routeTagsFromThePathArePurgeable() throws Exception {
        proxy(RouteSpec.named("product", "/api/products/{id}").withTags(List.of("product:{id}")));
        AtomicInteger p42 = counting("/api/products/42", 200, "Cache-Control", "max-age=600");
        AtomicInteger p43 = counting("/api/products/43", 200, "Cache-Control", "max-age=600");
        get("/api/products/42");
        get("/api/products/43");
        hit("/api/products/42");
        hit("/api/products/43");
        proxy.purgeBus().purge(Purge.parse("{\"tags\":[\"product:42\"]}", false)).await().atMost(Duration.ofSeconds(5));
        assertEquals("MISS", get("/api/products/42").header("X-Cache"));
        assertEquals("HIT", get("/api/products/43").header("X-Cache"));
        assertEquals(2, p42.get());
        assertEquals(1, p43.get());
    }

    @Test
    void requestsAreCountedByRoute() throws Exception {
        proxy(RouteSpec.named("products", "/api/products/**"));
        counting("/api/products/1", 200, "Cache-Control", "max-age=60");
        counting("/other", 200, "Cache-Control", "max-age=60");
        get("/api/products/1");
        hit("/api/products/1");
        get("/other");
        // counted as the exchange ends, which a client reading a Content-Length body may see a moment before
        Await.until(() -> proxy.requests("default", "miss") == 1, "the default route's miss counted");
        assertEquals(1, proxy.requests("products", "miss"));
        assertTrue(proxy.requests("products", "hit") >= 1);
        assertEquals(0, proxy.requests("products", "error"), "every route's counters exist from the start");
    }

    @Test
    void debugHeadersNameTheRouteAndTheKey() throws Exception {
        proxy(true, RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.cookie("session")));
        counting("/me", 200, "Cache-Control", "max-age=60");
        counting("/plain", 200, "Cache-Control", "max-age=60");
        String miss = get("/me", "Cookie: session=s3cret-value").header("Cache-Status");
        assertTrue(miss.contains("detail=\"route=me\""), miss);
        assertTrue(miss.contains("key=\"http://shop.test/me%0Au4:user=22:"), miss);
        assertFalse(miss.contains("s3cret"), "the key holds the user's hash, never the cookie");
        String hit = hit("/me", "Cookie: session=s3cret-value").header("Cache-Status");
        assertTrue(hit.startsWith("Outrigger; hit; ttl=") && hit.contains("detail=\"route=me\""), hit);
        assertTrue(get("/plain").header("Cache-Status").contains("detail=\"route=default\"; key=\"http://shop.test/plain\""));
    }

    @Test
    void requestsTheCacheDoesNotHandleReachTheAppAsTheyCame() throws Exception {
        proxy(RouteSpec.named("products", "/api/products/**").withKey(new RouteSpec.Key(List.of("page"), List.of(), false, true,
                List.of(), List.of("currency"))));
        counting("/api/products/live", 200, "Cache-Control", "max-age=60");
        get("/api/products/live?page=1&token=t0k", "If-Match: \"v1\"", "Cookie: session=s; currency=EUR");
        assertEquals("/api/products/live?page=1&token=t0k", origin.last("/api/products/live").uri(), "a precondition: not rewritten");
        assertEquals("session=s; currency=EUR", origin.last("/api/products/live").header("Cookie"));
        proxy.request("DELETE", "/api/products/live?page=1&token=t0k", "Cookie: session=s; currency=EUR");
        assertEquals("/api/products/live?page=1&token=t0k", origin.last("/api/products/live").uri(), "another method: not rewritten");
        assertEquals("session=s; currency=EUR", origin.last("/api/products/live").header("Cookie"));
        get("/api/products/live?page=1&token=t0k", "Cache-Control: no-store", "Cookie: session=s; currency=EUR");
        assertEquals("/api/products/live?page=1&token=t0k", origin.last("/api/products/live").uri(), "no-store: not rewritten");
        assertEquals("session=s; currency=EUR", origin.last("/api/products/live").header("Cookie"));
        get("/api/products/live?page=1&token=t0k", "Cookie: session=s; currency=EUR");
        assertEquals("/api/products/live?page=1", origin.last("/api/products/live").uri(), "a cached GET is forwarded as keyed");
        assertEquals("currency=EUR", origin.last("/api/products/live").header("Cookie"));
    }

    @Test
    void aHeadIsAnsweredFromTheGetsEntryOnTheSameRoute() throws Exception {
        proxy(RouteSpec.named("products", "/api/products/**").withMatch(new RouteSpec.Match(Optional.of("/api/products/**"),
                        List.of("GET", "HEAD"), Optional.empty(), Map.of()))
                .withKey(new RouteSpec.Key(List.of("page"), List.of(), false, true, List.of(), List.of()))
                .withTtl(Duration.ofMinutes(5), "fallback"));
        AtomicInteger n = counting("/api/products/list", 200);
        get("/api/products/list?page=2&utm_source=a");
        hit("/api/products/list?page=2");
        RawHttp.Response head = proxy.request("HEAD", "/api/products/list?utm_source=b&page=2");
        assertEquals("HIT", head.header("X-Cache"));
        assertEquals("6", head.header("Content-Length"), "what a GET would send: body-1");
        assertEquals(1, n.get());
        assertTrue(proxy.requests("products", "hit") >= 2, "counted under the route");
    }

    @Test
    void perUserCookieEntriesAreEachUsersAndPublicAnswersAreSharedAmongTheAnonymous() throws Exception {
        proxy(RouteSpec.named("me", "/me/**").withPerUser(RouteSpec.PerUser.cookie("session")).withTtl(Duration.ofSeconds(30), "fallback"));
        origin.on("/me/orders", req -> {
            origin.record(req, null);
            String cookie = req.getHeader("Cookie");
            req.response().putHeader("Cache-Control", cookie == null ? "public" : "private")
                    .end(cookie == null ? "sign in" : "orders of " + cookie);
        });
        assertEquals("orders of session=ada", get("/me/orders", "Cookie: theme=dark; session=ada").text());
        assertEquals("session=ada", origin.last("/me/orders").header("Cookie"), "only the identity cookie is forwarded");
        assertEquals("orders of session=ada", hit("/me/orders", "Cookie: session=ada").text());
        assertEquals("orders of session=bob", get("/me/orders", "Cookie: session=bob").text());
        assertEquals("orders of session=bob", hit("/me/orders", "Cookie: session=bob; theme=light").text());
        assertEquals("MISS", get("/me/orders", "Cookie: session=eve").header("X-Cache"));
        assertEquals("sign in", get("/me/orders", "Cookie: theme=dark").text());
        assertEquals("sign in", hit("/me/orders").text(), "a public answer without identity is shared among the anonymous");
        assertEquals("orders of session=ada", get("/me/orders", "Cookie: session=ada").text(), "and never served to a user");
        assertEquals(4, origin.hits("/me/orders"));
    }

    @Test
    void aWriteInvalidatesEveryVariantOfItsUrlWhicheverRouteTakesItButOnAPerUserRouteOnlyTheWritersEntry() throws Exception {
        RouteSpec.Match json = new RouteSpec.Match(Optional.of("/api/products/**"), List.of(), Optional.empty(), Map.of("Accept", ".*json.*"));
        proxy(RouteSpec.named("json", "/").withMatch(json)
                        .withKey(new RouteSpec.Key(List.of(), List.of(), false, true, List.of("Accept-Language"), List.of())),
                RouteSpec.named("products", "/api/products/**").withKey(new RouteSpec.Key(List.of(), List.of("utm_*"), false, true,
                        List.of("Accept-Language"), List.of("currency"))),
                RouteSpec.named("me", "/api/me/**").withPerUser(RouteSpec.PerUser.header("Authorization"))
                        .withKey(new RouteSpec.Key(List.of(), List.of(), false, true, List.of("Accept-Language"), List.of()))
                        .withTtl(Duration.ofMinutes(1), "fallback"));
        AtomicInteger product = counting("/api/products/1", 200, "Cache-Control", "max-age=600");
        get("/api/products/1", "Accept-Language: en");
        get("/api/products/1", "Accept-Language: fr", "Cookie: currency=EUR");
        get("/api/products/1", "Accept-Language: de", "Accept: application/json");
        hit("/api/products/1", "Accept-Language: en");
        hit("/api/products/1", "Accept-Language: fr", "Cookie: currency=EUR");
        hit("/api/products/1", "Accept-Language: de", "Accept: application/json");
        assertEquals(200, proxy.request("PUT", "/api/products/1?utm_source=admin", "Accept-Language: en").status());
        assertEquals("MISS", get("/api/products/1", "Accept-Language: fr", "Cookie: currency=EUR").header("X-Cache"),
                "the French, euro entry went with the English one the PUT carried");
        assertEquals("MISS", get("/api/products/1", "Accept-Language: de", "Accept: application/json").header("X-Cache"),
                "and the JSON route's entry, though the PUT (no Accept) took another route");
        assertEquals("MISS", get("/api/products/1", "Accept-Language: en").header("X-Cache"));
        assertEquals(7, product.get(), "three fetches, the PUT, three fetches again");

        origin.on("/api/products", req -> {
            origin.record(req, null);
            req.response().setStatusCode(201).putHeader("Location", "/api/products/1").end();
        });
        hit("/api/products/1", "Accept-Language: fr", "Cookie: currency=EUR");
        // entries fetched just after a purge are stamped at its threshold; a later purge comes later in time
        clock.advance(Duration.ofSeconds(1));
        assertEquals(201, proxy.request("POST", "/api/products").status());
        assertEquals("MISS", get("/api/products/1", "Accept-Language: fr", "Cookie: currency=EUR").header("X-Cache"),
                "RFC 9111 §4.4: the same-host Location's variants too");

        counting("/api/me/settings", 200, "Cache-Control", "private");
        get("/api/me/settings", "Authorization: Bearer ada", "Accept-Language: en");
        get("/api/me/settings", "Authorization: Bearer bob", "Accept-Language: en");
        hit("/api/me/settings", "Authorization: Bearer ada", "Accept-Language: en");
        hit("/api/me/settings", "Authorization: Bearer bob", "Accept-Language: en");
        clock.advance(Duration.ofSeconds(1)); // so that a purge now would reach what was just stored
        proxy.request("POST", "/api/me/settings", "Authorization: Bearer ada", "Accept-Language: en");
        assertEquals("MISS", get("/api/me/settings", "Authorization: Bearer ada", "Accept-Language: en").header("X-Cache"));
        assertEquals("HIT", get("/api/me/settings", "Authorization: Bearer bob", "Accept-Language: en").header("X-Cache"),
                "Bob's entry is his");
    }

    @Test
    void aPurgeByUrlReachesTheEntryItsRouteKeyedAnotherWay() throws Exception {
        Routes routes = Routes.compile(List.of(RouteSpec.named("search", "/api/search")
                .withKey(new RouteSpec.Key(List.of(), List.of("utm_*"), false, true, List.of(), List.of()))), SECRET);
        proxy = TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock), CacheSettings.DEFAULT.withRoutes(routes, false),
                Leases.LOCAL, NO_EARLY_REFRESH);
        AtomicInteger n = counting("/api/search", 200, "Cache-Control", "max-age=600");
        get("/api/search?q=boots&sort=price");
        hit("/api/search?q=boots&sort=price");
        Purge named = Purge.parse("{\"urls\":[\"/api/search?sort=price&utm_source=mail&q=boots\"]}", false);
        proxy.purgeBus().purge(named.keyedAs(routes)).await().atMost(Duration.ofSeconds(5));
        assertEquals("MISS", get("/api/search?q=boots&sort=price").header("X-Cache"));
        assertEquals(2, n.get());
    }

    @Test
    void onlyIfCachedOnARouteThatIsNeverLookedUpIsAGatewayTimeout() throws Exception {
        proxy(RouteSpec.named("refresh", "/r").withSwitches(false, true), RouteSpec.named("cart", "/cart").withSwitches(false, false));
        AtomicInteger r = counting("/r", 200, "Cache-Control", "max-age=60");
        AtomicInteger cart = counting("/cart", 200, "Cache-Control", "max-age=60");
        assertEquals(504, get("/r", "Cache-Control: only-if-cached").status());
        assertEquals(504, get("/cart", "Cache-Control: only-if-cached").status());
        assertEquals(0, r.get() + cart.get(), "RFC 9111 §5.2.1.7: not forwarded");
    }
}
