package dev.outrigger.inject;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admission webhook in injector mode, as the API server calls it: real AdmissionReview documents posted over
 * HTTP, the returned JSON Patch applied to the pod with a JSON Patch library, and the resulting pod examined.
 */
@QuarkusTest
@TestProfile(InjectorWebhookTest.Injector.class)
class InjectorWebhookTest {

    public static class Injector implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("outrigger.mode", "injector"),
                    Map.entry("outrigger.inject.image", "registry.example/outrigger:0.1.0"),
                    Map.entry("outrigger.inject.redis-secret.name", "outrigger-redis"),
                    Map.entry("outrigger.inject.redis-secret.key", "url"),
                    Map.entry("outrigger.inject.admin-token-secret.name", "outrigger-admin"),
                    Map.entry("outrigger.inject.admin-token-secret.key", "token"),
                    Map.entry("outrigger.inject.env.OUTRIGGER_CACHE_MAX_TTL", "1h"),
                    Map.entry("outrigger.inject.termination-grace-period-seconds", "45"));
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL http;

    RequestSpecification webhook() {
        return given().baseUri(http.getProtocol() + "://" + http.getHost()).port(http.getPort()).contentType("application/json");
    }

    static ObjectNode review(String name) throws Exception {
        try (InputStream in = InjectorWebhookTest.class.getResourceAsStream("/admission/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    /** Posts the review to {@code path}; the pod as the API server would store it, and the webhook's response member. */
    record Answer(JsonNode pod, JsonNode response) {}

    Answer post(String path, ObjectNode review) throws Exception {
        String body = webhook().body(review.toString()).when().post(path)
                .then().statusCode(200)
                .body("kind", equalTo("AdmissionReview"))
                .body("response.uid", equalTo(review.path("request").path("uid").asText()))
                .body("response.allowed", equalTo(true))
                .extract().asString();
        JsonNode response = JSON.readTree(body).path("response");
        JsonNode pod = review.path("request").path("object");
        if (response.has("patch")) {
            assertEquals("JSONPatch", response.path("patchType").asText());
            String patch = new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
            pod = apply(patch, pod);
        }
        return new Answer(pod, response);
    }

    /** Applies an RFC 6902 patch with Jakarta JSON-P (Parsson): not the library the webhook writes patches with. */
    static JsonNode apply(String patch, JsonNode pod) throws Exception {
        try (JsonReader p = Json.createReader(new StringReader(patch)); JsonReader o = Json.createReader(new StringReader(pod.toString()))) {
            JsonObject patched = Json.createPatch(p.readArray()).apply(o.readObject());
            return JSON.readTree(patched.toString());
        }
    }

    static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (name.equals(n.path("name").asText())) {
                return n;
            }
        }
        return null;
    }

    static String env(JsonNode container, String name) {
        JsonNode e = named(container.path("env"), name);
        return e == null ? null : e.path("value").asText(null);
    }

    @Test
    void aDeploymentsPodGetsANativeSidecarThatTakesOverTheServicePortName() throws Exception {
        Answer a = post("/inject", review("deployment-pod.json"));
        JsonNode pod = a.pod();
        JsonNode sidecar = pod.path("spec").path("initContainers").path(0);
        assertEquals("outrigger", sidecar.path("name").asText());
        assertEquals("Always", sidecar.path("restartPolicy").asText(), "a native sidecar: starts before the app, stops after it");
        assertEquals("registry.example/outrigger:0.1.0", sidecar.path("image").asText());

        JsonNode app = pod.path("spec").path("containers").path(0);
        assertEquals(1, pod.path("spec").path("containers").size(), "the application's containers are left in place");
        assertEquals(8080, named(app.path("ports"), "http-app").path("containerPort").asInt(), "the app's port is renamed");
        assertNull(named(app.path("ports"), "http"));
        assertEquals("http-app", app.path("livenessProbe").path("httpGet").path("port").asText(), "its probes follow the rename");
        assertEquals("http-app", app.path("readinessProbe").path("httpGet").path("port").asText());
        assertEquals(9100, named(app.path("ports"), "metrics").path("containerPort").asInt());
        assertEquals(8480, named(sidecar.path("ports"), "http").path("containerPort").asInt(),
                "a Service with targetPort: http now reaches the sidecar");
        assertEquals(9480, named(sidecar.path("ports"), "outrigger-admin").path("containerPort").asInt());
        assertEquals("http://127.0.0.1:8080", env(sidecar, "OUTRIGGER_UPSTREAM_URL"));
        assertEquals("8480", env(sidecar, "QUARKUS_HTTP_PORT"));
        assertEquals("9480", env(sidecar, "QUARKUS_MANAGEMENT_PORT"));
        assertEquals("1h", env(sidecar, "OUTRIGGER_CACHE_MAX_TTL"));

        JsonNode redis = named(sidecar.path("env"), "QUARKUS_REDIS_HOSTS");
        assertNull(redis.get("value"), "never a literal value");
        assertEquals("outrigger-redis", redis.path("valueFrom").path("secretKeyRef").path("name").asText());
        assertEquals("url", redis.path("valueFrom").path("secretKeyRef").path("key").asText());
        assertEquals("outrigger-admin", named(sidecar.path("env"), "OUTRIGGER_ADMIN_TOKEN").path("valueFrom").path("secretKeyRef")
                .path("name").asText());

        JsonNode security = sidecar.path("securityContext");
        assertTrue(security.path("runAsNonRoot").asBoolean());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", security.path("capabilities").path("drop").path(0).asText());
        assertEquals("RuntimeDefault", security.path("seccompProfile").path("type").asText());
        assertEquals("/tmp", named(sidecar.path("volumeMounts"), "outrigger-tmp").path("mountPath").asText(),
                "a writable /tmp beside the read-only root");
        assertNotNull(named(pod.path("spec").path("volumes"), "outrigger-tmp").get("emptyDir"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals("outrigger-admin", sidecar.path(probe).path("httpGet").path("port").asText(), probe);
        }
        assertEquals("/q/health/started", sidecar.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("256Mi", sidecar.path("resources").path("limits").path("memory").asText());
        assertEquals("128Mi", sidecar.path("resources").path("requests").path("memory").asText());
        assertEquals(45, pod.path("spec").path("terminationGracePeriodSeconds").asInt(), "raised to cover the drain");
        assertEquals("true", pod.path("metadata").path("annotations").path("outrigger.dev/injected").asText());
        assertEquals("true", pod.path("metadata").path("labels").path("outrigger.dev/injected").asText(), "what a PodMonitor selects");
        assertEquals("catalogue", pod.path("metadata").path("labels").path("app").asText(), "the pod's own labels kept");
        assertFalse(a.response().has("warnings"), a.response().toString());
    }

    @Test
    void reinvocationOnAnInjectedPodChangesNothing() throws Exception {
        JsonNode injected = post("/inject", review("deployment-pod.json")).pod();
        ObjectNode again = review("deployment-pod.json");
        ((ObjectNode) again.path("request")).set("object", injected);
        Answer second = post("/inject", again);
        assertFalse(second.response().has("patch"), "idempotent: " + second.response());
        assertEquals(injected, second.pod());
    }

    @Test
    void anOptedOutPodIsLeftAsItCame() throws Exception {
        ObjectNode review = review("opted-out-pod.json");
        Answer a = post("/inject", review);
        assertFalse(a.response().has("patch"));
        assertEquals(review.path("request").path("object"), a.pod());
    }

    @Test
    void outsideALabelledNamespaceOnlyAnnotatedPodsAreInjected() throws Exception {
        assertFalse(post("/inject/annotated", review("plain-pod.json")).response().has("patch"));

        Answer a = post("/inject/annotated", review("annotated-numeric-port-pod.json"));
        JsonNode spec = a.pod().path("spec");
        assertEquals(List.of("outrigger", "migrate"), names(spec.path("initContainers")),
                "first, so the other init containers start with it running");
        JsonNode sidecar = spec.path("initContainers").path(0);
        assertEquals("http://127.0.0.1:3000", env(sidecar, "OUTRIGGER_UPSTREAM_URL"), "the first container's first port");
        assertEquals(8480, named(sidecar.path("ports"), "outrigger").path("containerPort").asInt(),
                "no named port to take over: the sidecar's port has its own name");
        assertEquals(3000, spec.path("containers").path(0).path("livenessProbe").path("httpGet").path("port").asInt());
        assertEquals("/etc/outrigger/rules/routes.yaml", env(sidecar, "QUARKUS_CONFIG_LOCATIONS"));
        assertEquals("catalogue-routes", named(spec.path("volumes"), "outrigger-rules").path("configMap").path("name").asText());
        assertEquals("true", env(sidecar, "OUTRIGGER_DEBUG_HEADERS"), "an annotation sets a sidecar setting");
        assertNull(named(sidecar.path("env"), "QUARKUS_REDIS_HOSTS").get("value"), "but never replaces a Secret with a literal");
        String warnings = a.response().path("warnings").toString();
        assertTrue(warnings.contains("no container port named http"), warnings);
        assertTrue(warnings.contains("ignored outrigger.dev/env.QUARKUS_REDIS_HOSTS"), warnings);
    }

    @Test
    void aPodWhosePortIsTheSidecarsIsAllowedWithoutItAndTold() throws Exception {
        ObjectNode review = review("port-clash-pod.json");
        ((ObjectNode) review.path("request").path("object").path("metadata")).putObject("annotations").put("outrigger.dev/inject", "true");
        Answer a = post("/inject", review);
        assertFalse(a.response().has("patch"));
        assertTrue(a.response().path("warnings").path(0).asText().contains("8480"), a.response().toString());
    }

    @Test
    void somethingOtherThanAReviewIsABadRequest() {
        webhook().body("{\"kind\":\"Pod\"}").when().post("/inject").then().statusCode(400)
                .body(containsString("AdmissionReview"));
        webhook().body("not json").when().post("/inject").then().statusCode(400);
    }

    @Test
    void anUpdateOrAnotherKindIsAllowedUnchanged() throws Exception {
        ObjectNode review = review("deployment-pod.json");
        ((ObjectNode) review.path("request")).put("operation", "UPDATE");
        assertFalse(post("/inject", review).response().has("patch"));
    }

    @Test
    void podsTheSidecarWouldBreakAreAdmittedWithoutItAndTold() throws Exception {
        ObjectNode hostNetwork = review("deployment-pod.json");
        ObjectNode spec = (ObjectNode) hostNetwork.path("request").path("object").path("spec");
        spec.put("hostNetwork", true);
        ((ObjectNode) hostNetwork.path("request").path("object").path("metadata")).putObject("annotations").put("outrigger.dev/inject", "true");
        Answer a = post("/inject", hostNetwork);
        assertFalse(a.response().has("patch"));
        assertTrue(a.response().path("warnings").toString().contains("node's network"), a.response().toString());

        ObjectNode root = review("deployment-pod.json");
        ((ObjectNode) root.path("request").path("object").path("spec")).putObject("securityContext").put("runAsUser", 0);
        assertFalse(post("/inject", root).response().has("patch"), "root at pod level and no sidecar user configured here");

        ObjectNode job = review("deployment-pod.json");
        ObjectNode jobPod = (ObjectNode) job.path("request").path("object");
        ((ObjectNode) jobPod.path("spec")).put("restartPolicy", "Never");
        ObjectNode annotations = ((ObjectNode) jobPod.path("metadata")).putObject("annotations");
        annotations.put("outrigger.dev/inject", "true");
        annotations.put("outrigger.dev/native-sidecar", "false");
        assertFalse(post("/inject", job).response().has("patch"), "a plain sidecar would keep a Job's pod running");
        annotations.remove("outrigger.dev/native-sidecar");
        assertTrue(post("/inject", job).response().has("patch"), "a native sidecar ends with the Job");
    }

    static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }
}
