package dev.outrigger.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.OriginResource;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application with the e-commerce rules file ({@code src/test/resources/routes/ecommerce.yaml},
 * loaded the way a mounted ConfigMap is: {@code quarkus.config.locations}): {@code GET /admin/explain} on the
 * management port, and the debug headers on the traffic port.
 */
@QuarkusTest
@TestProfile(ExplainApiTest.WithRules.class)
@WithTestResource(OriginResource.class)
class ExplainApiTest {

    public static class WithRules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.config.locations", "routes/ecommerce.yaml",
                    "outrigger.admin.token", "s3cret-token",
                    "outrigger.debug-headers", "true");
        }
    }

    @Inject
    TrafficServer traffic;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    OriginServer origin;

    @BeforeEach
    void reset() {
        origin = OriginResource.origin();
        origin.reset();
        // REST Assured's default is Quarkus's HTTP test port, which is not bound here (the traffic port is Outrigger's own)
        RestAssured.port = management.getPort();
    }

    RequestSpecification management() {
        return given().baseUri(management.getProtocol() + "://" + management.getHost());
    }

    RequestSpecification admin() {
        return management().header("Authorization", "Bearer s3cret-token");
    }

    RawHttp.Response get(String target, String... headers) throws Exception {
        StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\nHost: shop.example\n");
        for (String h : headers) {
            req.append(h).append('\n');
        }
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            return c.exchange(req.append('\n').toString());
        }
    }

    @Test
    void explainNamesTheRouteTheKeyAndWhatIsStored() throws Exception {
        origin.respond("/api/products/7", OriginServer.Response.ok("shoe").header("Cache-Control", "max-age=120")
                .header("Surrogate-Key", "shoes"));
        get("/api/products/7?utm_source=mail&page=2", "Accept-Language: fr");
        Await.until(() -> {
            try {
                return "HIT".equals(get("/api/products/7?page=2", "Accept-Language: fr").header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the product stored");

        admin().queryParam("url", "http://shop.example/api/products/7?page=2&utm_campaign=x")
                .queryParam("header", "Accept-Language: fr")
                .queryParam("header", "Cookie: currency=EUR; session=abc")
                .when().get("/admin/explain")
                .then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("route.name", equalTo("products"))
                .body("route.ttl-mode", equalTo("fallback"))
                .body("routes-tried", hasSize(1))
                .body("key.components.kind", hasItem("header"))
                .body("key.components.find { it.kind == 'cookie' }.value", equalTo("EUR"))
                .body("key.value", startsWith("http://shop.example/api/products/7?page=2\n"))
                .body("forwarded-target", equalTo("/api/products/7?page=2"))
                .body("forwarded-cookies", equalTo(java.util.List.of("currency")))
                .body("lookup", equalTo(true))
                .body("store", equalTo(true));

        // the stored entry: the same key as the request that stored it (no cookie then)
        admin().queryParam("url", "http://shop.example/api/products/7?page=2")
                .queryParam("header", "Accept-Language: fr")
                .when().get("/admin/explain")
                .then().statusCode(200)
                .body("stored.variants", hasSize(1))
                .body("stored.variants[0].status", equalTo(200))
                .body("stored.variants[0].size", equalTo(4))
                .body("stored.variants[0].tags", hasItem("shoes"))
                .body("stored.variants[0].cache-control", equalTo("max-age=120"))
                .body("stored.variants[0].selected", equalTo(true));
    }

    @Test
    void explainTracesTheRoutesBeforeTheOneThatMatched() {
        admin().queryParam("url", "/api/cart/items").queryParam("header", "Host: shop.example")
                .when().get("/admin/explain")
                .then().statusCode(200)
                .body("route.name", equalTo("cart"))
                .body("routes-tried", hasSize(5))
                .body("routes-tried[0].because", equalTo("path does not match /api/products/**"))
                .body("lookup", equalTo(false))
                .body("store", equalTo(false))
                .body("stored.variants", hasSize(0));
        admin().queryParam("url", "http://shop.example/elsewhere")
                .when().get("/admin/explain")
                .then().statusCode(200)
                .body("route.name", equalTo("default"));
    }

    @Test
    void perUserKeysShowTheHashNeverTheToken() {
        String body = admin().queryParam("url", "http://shop.example/api/me/orders")
                .queryParam("header", "Authorization: Bearer very-secret-token")
                .when().get("/admin/explain")
                .then().statusCode(200)
                .body("route.name", equalTo("account"))
                .body("user", startsWith("identified"))
                .body("key.components.find { it.kind == 'user' }.value", not(containsString("secret")))
                .extract().asString();
        assertTrue(!body.contains("very-secret-token"), body);
    }

    @Test
    void explainWantsTheTokenAndARequest() {
        management().queryParam("url", "/x").when().get("/admin/explain").then().statusCode(401);
        admin().when().get("/admin/explain").then().statusCode(400).body(startsWith("give the request to explain"));
        admin().queryParam("url", "/x").when().get("/admin/explain").then().statusCode(400).body(containsString("no host"));
        admin().queryParam("url", "http://shop.example/x").queryParam("header", "nonsense")
                .when().get("/admin/explain").then().statusCode(400);
    }

    @Test
    void debugHeadersCarryTheRouteAndKey() throws Exception {
        origin.respond("/api/cart/items", OriginServer.Response.ok("cart"));
        String status = get("/api/cart/items").header("Cache-Status");
        assertEquals("Outrigger; fwd=bypass; fwd-status=200; detail=\"route=cart\"", status);
        origin.respond("/api/search", OriginServer.Response.ok("results"));
        String search = get("/api/search?q=boots&utm_source=x").header("Cache-Status");
        assertTrue(search.contains("detail=\"route=search\"; key=\"http://shop.example/api/search?q=boots\""), search);
    }

    @Test
    void aPurgeByUrlThroughTheAdminApiReachesWhatTheRouteKeyed() throws Exception {
        origin.respond("/api/search", OriginServer.Response.ok("boots, sorted").header("Cache-Control", "max-age=600"));
        get("/api/search?sort=price&q=boots&utm_source=mail");
        Await.until(() -> {
            try {
                return "HIT".equals(get("/api/search?q=boots&sort=price").header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the search stored under its keyed target");
        admin().contentType("application/json").body("{\"urls\":[\"/api/search?utm_campaign=x&sort=price&q=boots\"]}")
                .when().post("/admin/purge")
                .then().statusCode(200).body("urls", equalTo(1));
        assertEquals("MISS", get("/api/search?q=boots&sort=price").header("X-Cache"), "the purge named the URL as the route keys it");
    }
}
