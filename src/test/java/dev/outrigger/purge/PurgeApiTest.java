package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.proxy.TrafficServer;
import dev.outrigger.testsupport.OriginResource;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /admin/purge} on the management port of the packaged application, with a token configured. */
@QuarkusTest
@TestProfile(PurgeApiTest.WithToken.class)
@WithTestResource(OriginResource.class)
class PurgeApiTest {

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("outrigger.admin.token", "s3cret-token");
        }
    }

    @Inject
    TrafficServer traffic;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    final HttpClient http = HttpClient.newHttpClient();
    OriginServer origin;

    @BeforeEach
    void reset() {
        origin = OriginResource.origin();
        origin.reset();
    }

    HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(management.toURI().resolve("/admin/purge"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> authorized(String body) throws Exception {
        return post(body, "Authorization", "Bearer s3cret-token");
    }

    RawHttp.Response get(String path) throws Exception {
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            return c.exchange("GET " + path + " HTTP/1.1\nHost: app\n\n");
        }
    }

    @Test
    void withoutATokenTheCallIsUnauthorized() throws Exception {
        HttpResponse<String> r = post("{\"all\":true}");

        assertEquals(401, r.statusCode());
        assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
        assertTrue(r.body().startsWith("missing Authorization"), r.body());
    }

    @Test
    void aWrongTokenIsUnauthorized() throws Exception {
        assertEquals(401, post("{\"all\":true}", "Authorization", "Bearer s3cret-tokem").statusCode());
        assertEquals(401, post("{\"all\":true}", "Authorization", "Basic czNjcmV0LXRva2Vu").statusCode());
    }

    @Test
    void malformedJsonIsABadRequestWithAOneLineReason() throws Exception {
        HttpResponse<String> r = authorized("{\"tags\": [");

        assertEquals(400, r.statusCode());
        assertEquals("malformed JSON\n", r.body());
    }

    @Test
    void anUnknownFieldIsABadRequest() throws Exception {
        HttpResponse<String> r = authorized("{\"tags\":[\"a\"],\"hard\":true}");

        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("unknown field \"hard\""), r.body());
    }

    @Test
    void anOversizedBodyIsRefused() throws Exception {
        assertEquals(413, authorized("{\"tags\":[\"" + "x".repeat(2 << 20) + "\"]}").statusCode());
    }

    @Test
    void onlyPostIsAllowed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(management.toURI().resolve("/admin/purge")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElse(null));
    }

    @Test
    void aPurgeIsAnsweredWithWhatItCoveredAndTakesEffect() throws Exception {
        origin.on("/p/1", req -> req.response().putHeader("Cache-Control", "max-age=600")
                .putHeader("Surrogate-Key", "product-1").end("v" + origin.hits("/p/1")));
        assertEquals("MISS", get("/p/1").header("X-Cache"));
        dev.outrigger.testsupport.Await.until(() -> {
            try {
                return "HIT".equals(get("/p/1").header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stored");

        HttpResponse<String> r = authorized("{\"tags\":[\"product-1\",\"other\"],\"urls\":[\"/x\"]}");

        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"urls\":1,\"tags\":2,\"prefixes\":0,\"all\":false,\"soft\":false}\n", r.body());
        RawHttp.Response after = get("/p/1");
        assertEquals("MISS", after.header("X-Cache"));
        assertEquals("v2", after.text());
    }

    @Test
    void theTrafficPortNeverServesTheAdminApi() throws Exception {
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            c.exchange("POST /admin/purge HTTP/1.1\nHost: app\nAuthorization: Bearer s3cret-token\n"
                    + "Content-Length: 12\n\n{\"all\":true}");
        }
        assertEquals(1, origin.hits("/admin/purge"), "forwarded to the application like any path");
    }
}
