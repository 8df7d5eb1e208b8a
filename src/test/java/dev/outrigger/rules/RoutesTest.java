package dev.outrigger.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Route matching, key composition and the refusal of invalid rules, as pure code. */
class RoutesTest {

    static final Optional<byte[]> SECRET = Optional.of("a-secret-of-this-deployment".getBytes(StandardCharsets.UTF_8));

    static Routes routes(RouteSpec... specs) {
        return Routes.compile(List.of(specs), SECRET);
    }

    static Function<String, List<String>> headers(String... namesAndValues) {
        return name -> {
            List<String> values = new java.util.ArrayList<>();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                if (namesAndValues[i].equalsIgnoreCase(name)) {
                    values.add(namesAndValues[i + 1]);
                }
            }
            return values;
        };
    }

    static String route(Routes routes, String method, String path, String... headers) {
        return routes.match(method, "shop.test", path, headers(headers)).route().name();
    }

    static Route.Routed routed(Routes routes, String target, String... headers) {
        int q = target.indexOf('?');
        Routes.Match m = routes.match("GET", "shop.test", q < 0 ? target : target.substring(0, q), headers(headers));
        return m.route().route(target, headers(headers), m.variables());
    }

    static String message(RouteSpec... specs) {
        return assertThrows(Routes.InvalidRule.class, () -> routes(specs)).getMessage();
    }

    @Test
    void theFirstMatchingRouteWinsAndUnmatchedRequestsTakeTheDefault() {
        Routes r = routes(RouteSpec.named("one", "/api/products/special"), RouteSpec.named("all", "/api/products/**"));
        assertEquals("one", route(r, "GET", "/api/products/special"));
        assertEquals("all", route(r, "GET", "/api/products/7"));
        assertEquals("default", route(r, "GET", "/api/cart"));
        assertEquals(List.of("one", "all", "default"), r.names());
    }

    @Test
    void oneStarIsOneSegmentAndTwoAreAny() {
        Routes r = routes(RouteSpec.named("one", "/a/*/c"), RouteSpec.named("any", "/b/**"), RouteSpec.named("js", "/static/*.js"));
        assertEquals("one", route(r, "GET", "/a/x/c"));
        assertEquals("default", route(r, "GET", "/a/x/y/c"));
        assertEquals("any", route(r, "GET", "/b"));
        assertEquals("any", route(r, "GET", "/b/"));
        assertEquals("any", route(r, "GET", "/b/x/y/z"));
        assertEquals("default", route(r, "GET", "/bb"));
        assertEquals("js", route(r, "GET", "/static/app.js"));
        assertEquals("default", route(r, "GET", "/static/x/app.js"));
        assertEquals("default", route(r, "GET", "/a/x%2Fy/c/d"), "an escaped slash is not a separator, nor half a segment");
    }

    @Test
    void methodsHostAndHeadersNarrowAMatch() {
        RouteSpec.Match m = new RouteSpec.Match(Optional.of("/p/**"), List.of("get", "HEAD"), Optional.of("*.shop.test"),
                Map.of("X-Client", "mobile-.*", "X-Beta", "*"));
        Routes r = routes(RouteSpec.named("narrow", "/").withMatch(m));
        Function<String, List<String>> both = headers("X-Client", "mobile-ios", "X-Beta", "");
        assertEquals("narrow", r.match("GET", "eu.shop.test:8480", "/p/1", both).route().name());
        assertEquals("narrow", r.match("HEAD", "eu.shop.test", "/p/1", both).route().name());
        assertEquals("default", r.match("POST", "eu.shop.test", "/p/1", both).route().name());
        assertEquals("default", r.match("GET", "shop.test", "/p/1", both).route().name(), "the glob wants a subdomain");
        assertEquals("default", r.match("GET", "eu.shop.test", "/p/1", headers("X-Client", "web", "X-Beta", "1")).route().name());
        assertEquals("default", r.match("GET", "eu.shop.test", "/p/1", headers("X-Client", "mobile-ios")).route().name());
    }

    @Test
    void theQueryIsKeptAsTheRouteSays() {
        Routes r = routes(
                RouteSpec.named("in", "/in").withKey(new RouteSpec.Key(List.of("page", "sort", "q"), List.of(), false, true, List.of(), List.of())),
                RouteSpec.named("ex", "/ex").withKey(new RouteSpec.Key(List.of(), List.of("utm_*", "fbclid"), false, true, List.of(), List.of())),
                RouteSpec.named("ig", "/ig").withKey(new RouteSpec.Key(List.of(), List.of(), true, true, List.of(), List.of())),
                RouteSpec.named("asis", "/asis").withKey(new RouteSpec.Key(List.of(), List.of("x"), false, false, List.of(), List.of())),
                RouteSpec.named("plain", "/plain"));
        assertEquals("/in?page=2&q=shoe&sort=price", routed(r, "/in?utm_source=news&sort=price&page=2&q=shoe&x=1").target());
        assertEquals("/ex?a=1&page=2", routed(r, "/ex?utm_source=news&page=2&fbclid=abc&utm_medium=mail&a=1").target());
        assertEquals("/ex", routed(r, "/ex?utm_source=news").target(), "nothing kept: no '?' left");
        assertEquals("/ig", routed(r, "/ig?a=1&b=2").target());
        assertEquals("/asis?b=1&a=2", routed(r, "/asis?b=1&x=9&a=2").target(), "sort: false keeps the client's order");
        assertEquals("/plain?a=2&a=1&b=1", routed(r, "/plain?b=1&a=2&a=1").target(), "sorted by name, repeated names keep their order");
    }

    @Test
    void headersAndCookiesAreTypedComponentsAndOnlyKeyedCookiesAreForwarded() {
        Routes r = routes(RouteSpec.named("p", "/p").withKey(new RouteSpec.Key(List.of(), List.of(), false, true,
                List.of("Accept-Language"), List.of("currency"))));
        Route.Routed fr = routed(r, "/p", "Accept-Language", "fr,  en;q=0.5", "Cookie", "session=s3cret; currency=EUR; theme=dark");
        assertEquals(List.of(KeyComponent.of(KeyComponent.Kind.HEADER, "accept-language", "fr, en;q=0.5"),
                KeyComponent.of(KeyComponent.Kind.COOKIE, "currency", "EUR")), fr.components());
        assertEquals(Optional.of("currency=EUR"), fr.cookieHeader(), "the session cookie is not keyed, so not forwarded");
        assertEquals(List.of("accept-language", "cookie"), fr.keyedFields());
        Route.Routed none = routed(r, "/p");
        assertEquals(Optional.empty(), none.components().get(0).value(), "absent, which is not empty");
        assertEquals(Optional.of(""), none.cookieHeader());
    }

    @Test
    void perUserKeysHoldAKeyedHashNeverTheIdentity() {
        Routes r = routes(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.header("Authorization")));
        Route.Routed ada = routed(r, "/me", "Authorization", "Bearer ada-token");
        Route.Routed bob = routed(r, "/me", "Authorization", "Bearer bob-token");
        Route.Routed anonymous = routed(r, "/me");
        assertTrue(ada.identified());
        assertFalse(anonymous.identified());
        String hash = ada.components().get(0).value().orElseThrow();
        assertFalse(hash.contains("ada"), hash);
        assertEquals(22, hash.length(), "128 bits, base64url");
        assertNotEquals(ada.components(), bob.components());
        assertEquals(ada.components(), routed(r, "/me", "Authorization", "Bearer ada-token").components());
        assertEquals(Optional.empty(), anonymous.components().get(0).value());
        Routes otherSecret = Routes.compile(List.of(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.header("Authorization"))),
                Optional.of("another-deployments-secret".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(ada.components(), routed(otherSecret, "/me", "Authorization", "Bearer ada-token").components(),
                "the hash is keyed: without the secret nobody can test a guess");

        Routes byCookie = routes(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.cookie("session")));
        Route.Routed c = routed(byCookie, "/me", "Cookie", "theme=dark; session=abc");
        assertTrue(c.identified());
        assertEquals(Optional.of("session=abc"), c.cookieHeader());
        assertEquals(List.of("cookie"), c.keyedFields());
    }

    @Test
    void routeTagsComeFromPathVariables() {
        Routes r = routes(RouteSpec.named("product", "/api/products/{id}").withTags(List.of("product:{id}", "catalogue")));
        assertEquals(List.of("product:42", "catalogue"), routed(r, "/api/products/42").tags());
    }

    @Test
    void invalidRulesStopStartUpNamingTheRuleAndTheField() {
        assertEquals("outrigger.routes[0] (p): match.path: must start with '/'", message(RouteSpec.named("p", "api/**")));
        assertEquals("outrigger.routes[1] (p): name: another route has this name",
                message(RouteSpec.named("p", "/a"), RouteSpec.named("p", "/b")));
        assertEquals("outrigger.routes[0]: name: required: letters, digits, '_', '.', '-' (at most 64), starting with a letter or digit",
                message(RouteSpec.named("", "/a")));
        assertTrue(message(RouteSpec.named("p", "/a").withTtl(Duration.ofMinutes(5), "sometimes"))
                .startsWith("outrigger.routes[0] (p): ttl-mode: 'sometimes'"));
        assertEquals("outrigger.routes[0] (p): ttl: ttl-mode override needs a ttl (or status-ttl)",
                message(new RouteSpec("p", RouteSpec.Match.path("/a"), Optional.empty(), "override", Map.of(), Optional.empty(),
                        Optional.empty(), RouteSpec.Key.NONE, Optional.empty(), true, true, List.of(), Optional.empty())));
        assertEquals("outrigger.routes[0] (p): status-ttl: 'oops' is not a status code",
                message(RouteSpec.named("p", "/a").withStatusTtl(Map.of("oops", Duration.ofSeconds(1)))));
        assertTrue(message(RouteSpec.named("p", "/a").withStatusTtl(Map.of("304", Duration.ofSeconds(1))))
                .startsWith("outrigger.routes[0] (p): status-ttl.304:"));
        assertTrue(message(RouteSpec.named("p", "/a").withKey(new RouteSpec.Key(List.of(), List.of(), false, true,
                List.of("Authorization"), List.of()))).startsWith("outrigger.routes[0] (p): key.headers: Authorization holds credentials"));
        assertTrue(message(RouteSpec.named("p", "/a").withPerUser(new RouteSpec.PerUser(Optional.of("A"), Optional.of("b"))))
                .startsWith("outrigger.routes[0] (p): per-user:"));
        assertTrue(message(RouteSpec.named("p", "/a/{id}").withTags(List.of("x:{sku}"))).contains("tags: 'x:{sku}' names {sku}"));
        assertTrue(message(RouteSpec.named("p", "/a").withMatch(new RouteSpec.Match(Optional.empty(), List.of(), Optional.empty(),
                Map.of("X", "(")))).startsWith("outrigger.routes[0] (p): match.headers.X: not a regular expression"));
        assertTrue(message(RouteSpec.named("p", "/a").withKey(new RouteSpec.Key(List.of("a"), List.of(), true, true, List.of(), List.of())))
                .startsWith("outrigger.routes[0] (p): key.query:"));
        assertTrue(message(RouteSpec.named("p", "/a").withMatch(new RouteSpec.Match(Optional.of("/a"), List.of(), Optional.of("shop.test:8080"),
                Map.of()))).startsWith("outrigger.routes[0] (p): match.host: 'shop.test:8080': a host name without port"));
        assertTrue(message(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.cookie("session"))
                .withKey(new RouteSpec.Key(List.of(), List.of(), false, true, List.of(), List.of("session"))))
                .startsWith("outrigger.routes[0] (me): key.cookies: session is the per-user identity"));
        assertTrue(message(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.header("X-Api-Key"))
                .withKey(new RouteSpec.Key(List.of(), List.of(), false, true, List.of("x-api-key"), List.of())))
                .startsWith("outrigger.routes[0] (me): key.headers: x-api-key is the per-user identity"));
        assertEquals("outrigger.routes[0] (p): tags: 'product:{id': a variable is written {name}",
                message(RouteSpec.named("p", "/a/{id}").withTags(List.of("product:{id"))));
        assertEquals("outrigger.routes[0] (p): ttl: PT0.5S is not whole seconds: Cache-Control lifetimes count seconds",
                message(RouteSpec.named("p", "/a").withTtl(Duration.ofMillis(500), "fallback")));
        assertTrue(message(RouteSpec.named("p", "/a").withStatusTtl(Map.of("404", Duration.ofMillis(1500))))
                .startsWith("outrigger.routes[0] (p): status-ttl.404: PT1.5S is not whole seconds"));
        String noSecret = assertThrows(Routes.InvalidRule.class, () -> Routes.compile(
                List.of(RouteSpec.named("me", "/me").withPerUser(RouteSpec.PerUser.header("Authorization"))), Optional.empty())).getMessage();
        assertTrue(noSecret.startsWith("outrigger.routes[0] (me): per-user: needs OUTRIGGER_KEY_SECRET"), noSecret);
    }

    @Test
    void aUserNamedByAHeaderIsNeverTheUserOfTheSameValueInASession() {
        Routes r = routes(RouteSpec.named("by-header", "/h").withPerUser(RouteSpec.PerUser.header("X-User")),
                RouteSpec.named("by-session", "/s").withPerUser(RouteSpec.PerUser.session("sub")));
        KeyComponent fromHeader = routed(r, "/h", "X-User", "7").components().get(0);
        Route.Routed fromSession = r.match("GET", "shop.test", "/s", headers()).route()
                .route("/s", headers(), Map.of(), field -> field.equals("sub") ? Optional.of("7") : Optional.empty());
        assertTrue(fromSession.identified());
        assertEquals(KeyComponent.Kind.USER, fromSession.components().get(0).kind());
        assertTrue(!fromHeader.value().equals(fromSession.components().get(0).value()),
                "a client-sent X-User: 7 must not reach the entries of the session whose sub is 7");
    }

    @Test
    void pathVariablesMayHoldUnderscoresAndDigits() {
        Routes r = routes(RouteSpec.named("sku", "/api/{product_id}/variants/{v2}").withTags(List.of("product:{product_id}:{v2}")));
        assertEquals(List.of("product:p-7:red"), routed(r, "/api/p-7/variants/red").tags());
        assertEquals("default", r.match("GET", "shop.test", "/api/p-7/variants", headers()).route().name());
    }

    @Test
    void aRouteListingGetWithoutHeadIsWarnedAbout() {
        Routes r = routes(RouteSpec.named("get", "/a").withMatch(new RouteSpec.Match(Optional.of("/a"), List.of("GET"), Optional.empty(), Map.of())),
                RouteSpec.named("both", "/b").withMatch(new RouteSpec.Match(Optional.of("/b"), List.of("get", "head"), Optional.empty(), Map.of())),
                RouteSpec.named("any", "/c"));
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).startsWith("outrigger.routes[0] (get): match.methods lists GET without HEAD"), r.warnings().get(0));
    }

    @Test
    void aPurgedUrlIsNamedAsEveryRouteThatMayTakeItKeysIt() {
        Routes r = routes(
                RouteSpec.named("beta", "/api/search").withMatch(new RouteSpec.Match(Optional.of("/api/search"), List.of(), Optional.empty(),
                        Map.of("X-Beta", "*"))).withKey(new RouteSpec.Key(List.of("q"), List.of(), false, true, List.of(), List.of())),
                RouteSpec.named("eu", "/api/search").withMatch(new RouteSpec.Match(Optional.of("/api/search"), List.of(), Optional.of("eu.shop.test"),
                        Map.of())).withKey(new RouteSpec.Key(List.of(), List.of(), true, true, List.of(), List.of())),
                RouteSpec.named("search", "/api/search").withKey(new RouteSpec.Key(List.of(), List.of("utm_*"), false, true, List.of(), List.of())),
                RouteSpec.named("never", "/api/**"));
        assertEquals(List.of("/api/search?q=boots", "/api/search", "/api/search?page=2&q=boots"),
                r.keyedTargets(null, "/api/search?utm_source=x&q=boots&page=2"),
                "a header condition or a host may or may not hold: each such route counts, up to the first that surely takes it");
        assertEquals(List.of("/api/search?q=boots", "/api/search?page=2&q=boots"),
                r.keyedTargets("us.shop.test", "/api/search?utm_source=x&q=boots&page=2"), "another host: not the eu route");
        assertEquals(List.of("/api/search?q=boots", "/api/search"),
                r.keyedTargets("eu.shop.test:8443", "/api/search?utm_source=x&q=boots&page=2"), "the eu route surely takes it");
        assertEquals(List.of(), r.keyedTargets(null, "/api/other?b=1"), "a route that keeps the target adds nothing");
        assertEquals(List.of(), routes().keyedTargets(null, "/api/search?b=1&a=2"));
    }

    @Test
    void explainTracesEveryRouteUpToTheOneThatMatched() {
        Routes r = routes(RouteSpec.named("cart", "/api/cart/**"), RouteSpec.named("products", "/api/products/**"),
                RouteSpec.named("later", "/**"));
        List<Map<String, Object>> trace = r.trace("GET", "shop.test", "/api/products/1", headers());
        assertEquals(2, trace.size());
        assertEquals("path does not match /api/cart/**", trace.get(0).get("because"));
        assertEquals(true, trace.get(1).get("matched"));
    }
}
