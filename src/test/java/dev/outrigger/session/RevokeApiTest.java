package dev.outrigger.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.proxy.TrafficServer;
import dev.outrigger.testsupport.IntrospectionResource;
import dev.outrigger.testsupport.OriginResource;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged application with sessions on (a real introspection endpoint and origin): {@code POST
 * /admin/sessions/revoke} on the management port, checked through what the traffic port does next.
 */
@QuarkusTest
@TestProfile(RevokeApiTest.WithSessions.class)
@WithTestResource(OriginResource.class)
@WithTestResource(IntrospectionResource.class)
class RevokeApiTest {

    public static class WithSessions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("outrigger.session.enabled", "true", "outrigger.admin.token", "s3cret-token");
        }
    }

    @Inject
    TrafficServer traffic;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @org.junit.jupiter.api.BeforeEach
    void managementPort() {
        // REST Assured's default is Quarkus's HTTP test port, which is not bound here (the traffic port is Outrigger's own)
        io.restassured.RestAssured.port = management.getPort();
    }

    RequestSpecification admin() {
        return given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort())
                .header("Authorization", "Bearer s3cret-token").contentType("application/json");
    }

    RawHttp.Response get(String token) throws Exception {
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            return c.exchange("GET /me HTTP/1.1\nHost: app\nAuthorization: Bearer " + token + "\n\n");
        }
    }

    @Test
    void aRevokedTokenIsRefusedWithoutAskingTheResolver() throws Exception {
        OriginResource.origin().on("/me", req -> req.response().end("you are " + req.getHeader("X-Session")));
        int before = IntrospectionResource.calls();
        assertEquals("you are {\"active\":true,\"sub\":\"ada\"}", get("good-ada").text());
        get("good-ada");
        assertEquals(before + 1, IntrospectionResource.calls(), "kept");

        admin().body("{\"token\":\"good-ada\"}").when().post("/admin/sessions/revoke")
                .then().statusCode(200).body("revoked", equalTo(Sessions.sha256("good-ada")));
        assertEquals(401, get("good-ada").status(), "revoked, though the identity service may not know yet");
        assertEquals(before + 1, IntrospectionResource.calls(), "refused without asking it");

        assertEquals(200, get("good-bob").status());
        admin().body("{\"sha256\":\"" + Sessions.sha256("good-bob") + "\"}").when().post("/admin/sessions/revoke").then().statusCode(200);
        assertEquals(401, get("good-bob").status(), "by its SHA-256 as well");
    }

    @Test
    void revocationWantsTheTokenAndAWellFormedBody() {
        given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort())
                .contentType("application/json").body("{\"token\":\"x\"}").when().post("/admin/sessions/revoke").then().statusCode(401);
        admin().body("{\"sha256\":\"abc\"}").when().post("/admin/sessions/revoke").then().statusCode(400)
                .body(containsString("64 hex"));
        admin().body("not json").when().post("/admin/sessions/revoke").then().statusCode(400);
        admin().when().get("/admin/sessions/revoke").then().statusCode(405);
    }

    @Test
    void withoutATokenTheAppIsNotReached() throws Exception {
        OriginServer origin = OriginResource.origin();
        origin.on("/private", req -> req.response().end("secret"));
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            RawHttp.Response r = c.exchange("GET /private HTTP/1.1\nHost: app\n\n");
            assertEquals(401, r.status());
        }
        assertEquals(0, origin.hits("/private"));
    }
}
