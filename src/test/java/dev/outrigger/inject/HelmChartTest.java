package dev.outrigger.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart, linted and rendered by Helm itself in the JVM (helm-java): the objects for the default values and
 * the main switches, values the schema refuses, and the explicit sidecar template under an alias.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/outrigger");
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The rendered objects, as JSON trees. helm-java's template calls the cluster for {@code lookup} (the helm CLI
     * answers it with nothing when rendering offline), so the certificate is not looked up here.
     */
    static List<JsonNode> render(UnaryOperator<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName("outrigger").withNamespace("outrigger")
                .set("injector.tls.keepAcrossUpgrades", "false");
        return parse(values.apply(template).call());
    }

    static List<JsonNode> parse(String manifests) {
        List<JsonNode> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(manifests)) {
            if (doc != null) {
                objects.add(JSON.valueToTree(doc));
            }
        }
        return objects;
    }

    static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = all(objects, kind);
        assertEquals(1, found.size(), kind + ": " + found);
        return found.get(0);
    }

    static List<JsonNode> all(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static List<String> kinds(List<JsonNode> objects) {
        return objects.stream().map(o -> o.path("kind").asText()).sorted().toList();
    }

    @Test
    void theChartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void defaultValuesRenderTheInjectorItsWebhookAndItsCertificate() {
        List<JsonNode> objects = render(t -> t);
        assertEquals(List.of("ConfigMap", "Deployment", "MutatingWebhookConfiguration", "PodDisruptionBudget", "Secret", "Service",
                "ServiceAccount"), kinds(objects));

        JsonNode deployment = only(objects, "Deployment");
        assertEquals(2, deployment.path("spec").path("replicas").asInt());
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode injector = pod.path("containers").path(0);
        assertEquals("outrigger:0.1.0-jvm", injector.path("image").asText(), "<appVersion>-<flavor>");
        assertEquals("injector", env(injector, "OUTRIGGER_MODE"));
        assertEquals("disabled", env(injector, "QUARKUS_HTTP_INSECURE_REQUESTS"), "the webhook is HTTPS only");
        assertTrue(injector.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), "the injector calls no Kubernetes API");
        assertEquals(1, only(objects, "PodDisruptionBudget").path("spec").path("minAvailable").asInt());

        JsonNode webhooks = only(objects, "MutatingWebhookConfiguration").path("webhooks");
        assertEquals(2, webhooks.size());
        JsonNode namespaced = webhooks.path(0);
        assertEquals("/inject", namespaced.path("clientConfig").path("service").path("path").asText());
        assertEquals("None", namespaced.path("sideEffects").asText());
        assertEquals("Fail", namespaced.path("failurePolicy").asText());
        assertEquals("Ignore", webhooks.path(1).path("failurePolicy").asText(), "annotated pods elsewhere never block");
        assertEquals("/inject/annotated", webhooks.path(1).path("clientConfig").path("service").path("path").asText());
        String excluded = namespaced.path("namespaceSelector").path("matchExpressions").toString();
        assertTrue(excluded.contains("\"outrigger\"") && excluded.contains("kube-system"), "its own namespace and kube-system: " + excluded);

        JsonNode secret = only(objects, "Secret");
        String caBundle = namespaced.path("clientConfig").path("caBundle").asText();
        assertEquals(secret.path("data").path("ca.crt").asText(), caBundle, "the webhook trusts the CA that signed the certificate");
        String cert = new String(Base64.getDecoder().decode(secret.path("data").path("tls.crt").asText()));
        assertTrue(cert.startsWith("-----BEGIN CERTIFICATE-----"), cert);

        String config = only(objects, "ConfigMap").path("data").path("injector.yaml").asText();
        JsonNode inject = JSON.valueToTree(new Yaml().load(config)).path("outrigger").path("inject");
        assertEquals("outrigger:0.1.0-jvm", inject.path("image").asText());
        assertEquals(9480, inject.path("management-port").asInt());
        assertEquals("256Mi", inject.path("memory-limit").asText());
    }

    @Test
    void certManagerTakesOverTheCertificate() {
        List<JsonNode> objects = render(t -> t.set("injector.tls.certManager.enabled", "true"));
        assertTrue(all(objects, "Secret").isEmpty(), "no generated certificate");
        assertEquals("outrigger-injector-tls", only(objects, "Certificate").path("spec").path("secretName").asText());
        assertEquals("outrigger-injector-selfsigned", only(objects, "Issuer").path("metadata").path("name").asText());
        JsonNode webhook = only(objects, "MutatingWebhookConfiguration");
        assertEquals("outrigger/outrigger-injector",
                webhook.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText());
        assertNull(webhook.path("webhooks").path(0).path("clientConfig").get("caBundle"), "cert-manager injects it");
    }

    @Test
    void monitoringObjectsAndTheDashboard() throws Exception {
        List<JsonNode> objects = render(t -> t.set("monitoring.podMonitor.enabled", "true").set("monitoring.serviceMonitor.enabled", "true")
                .set("monitoring.prometheusRule.enabled", "true").set("monitoring.dashboard.enabled", "true")
                .set("networkPolicy.enabled", "true"));
        assertEquals("outrigger-admin", only(objects, "PodMonitor").path("spec").path("podMetricsEndpoints").path(0).path("port").asText());
        assertNotNull(only(objects, "ServiceMonitor"));
        List<String> alerts = new ArrayList<>();
        only(objects, "PrometheusRule").path("spec").path("groups").path(0).path("rules").forEach(r -> alerts.add(r.path("alert").asText()));
        assertEquals(List.of("OutriggerHitRatioLow", "OutriggerRedisCircuitOpen", "OutriggerUpstreamErrors"), alerts);
        JsonNode dashboard = all(objects, "ConfigMap").stream().filter(c -> c.path("data").has("outrigger.json")).findFirst().orElseThrow();
        assertEquals("1", dashboard.path("metadata").path("labels").path("grafana_dashboard").asText());
        JsonNode board = JSON.readTree(dashboard.path("data").path("outrigger.json").asText());
        assertTrue(board.path("panels").size() >= 8, "requests, hit ratio, latency, coalescing, purges, Redis, L1 size...");
        assertEquals(List.of("Ingress", "Egress"), JSON.convertValue(only(objects, "NetworkPolicy").path("spec").path("policyTypes"), List.class));
    }

    @Test
    void valuesTheSchemaRefusesStopTheRender() {
        assertRefused(t -> t.set("sidecar.trafficPort", "abc"), "trafficPort");
        assertRefused(t -> t.set("sidecar.trafficPrt", "8480"), "trafficPrt");
        assertRefused(t -> t.set("image.repository", ""), "repository");
        assertRefused(t -> t.set("injector.failurePolicy", "Sometimes"), "failurePolicy");
        assertRefused(t -> t.set("sidecar.env.JAVA_HOME", "/x"), "JAVA_HOME");
    }

    static void assertRefused(UnaryOperator<TemplateCommand> values, String naming) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> render(values));
        assertTrue(e.getMessage().contains(naming), e.getMessage());
    }

    @Test
    void theSidecarTemplateWorksUnderAnyAliasAndMatchesTheInjector(@TempDir Path parent) throws IOException {
        Files.writeString(parent.resolve("Chart.yaml"), """
                apiVersion: v2
                name: shop
                version: 1.0.0
                dependencies:
                  - name: outrigger
                    version: 0.2.0
                    alias: cache
                """);
        Files.writeString(parent.resolve("values.yaml"), """
                cache:
                  injector: {enabled: false}
                  image: {repository: registry.example/outrigger}
                  sidecar:
                    adminTokenSecret: {name: shop-outrigger, key: token}
                """);
        Path templates = Files.createDirectories(parent.resolve("templates"));
        Files.writeString(templates.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: shop}
                spec:
                  selector: {matchLabels: {app: shop}}
                  template:
                    metadata: {labels: {app: shop}}
                    spec:
                      containers:
                        - name: shop
                          image: shop:1
                          ports: [{name: http-app, containerPort: 8080}]
                        {{- include "outrigger.sidecar" (dict "values" .Values.cache "upstreamPort" 8080 "portName" "http") | nindent 8 }}
                      volumes:
                        {{- include "outrigger.sidecarVolumes" (dict "values" .Values.cache) | nindent 8 }}
                """);
        copy(CHART, Files.createDirectories(parent.resolve("charts")).resolve("outrigger"));
        List<JsonNode> objects = parse(new Helm(parent).template().withName("shop").withNamespace("shop").call());
        assertEquals(List.of("Deployment"), kinds(objects));
        JsonNode spec = only(objects, "Deployment").path("spec").path("template").path("spec");
        JsonNode sidecar = spec.path("containers").path(1);
        assertEquals("registry.example/outrigger:0.1.0-jvm", sidecar.path("image").asText());
        assertEquals("256Mi", sidecar.path("resources").path("limits").path("memory").asText());
        assertEquals("outrigger-tmp", spec.path("volumes").path(0).path("name").asText());

        // what the template renders is what the injector adds, given the same settings
        InjectorSettings settings = new InjectorSettings("registry.example/outrigger:0.1.0-jvm", "IfNotPresent", false, 8480, 9480, "http",
                "-app", 8080, new InjectorSettings.Resources("50m", Optional.empty(), "128Mi", "256Mi"), Optional.of(185L),
                Map.of("OUTRIGGER_ADMIN_TOKEN", new InjectorSettings.SecretRef("shop-outrigger", "token")), Map.of(), 30);
        JsonNode injected = new SidecarContainer(settings).build(8080, "http", Optional.empty(), "routes.yaml", List.of(), false);
        for (String field : List.of("name", "image", "imagePullPolicy", "ports", "env", "resources", "securityContext", "startupProbe",
                "livenessProbe", "readinessProbe", "volumeMounts")) {
            // compared as JSON read back (YAML integers and Java longs are different node types, the same numbers)
            assertEquals(JSON.readTree(injected.path(field).toString()), JSON.readTree(sidecar.path(field).toString()), field);
        }
    }

    @Test
    void theTemplatesDefaultTagFollowsTheChartsAppVersion() throws IOException {
        String chart = Files.readString(CHART.resolve("Chart.yaml"));
        String helpers = Files.readString(CHART.resolve("templates/_helpers.tpl"));
        String appVersion = ((Map<?, ?>) new Yaml().load(chart)).get("appVersion").toString();
        assertTrue(helpers.contains("define \"outrigger.appVersion\" -}}\n" + appVersion + "\n"),
                "templates/_helpers.tpl outrigger.appVersion must be " + appVersion);
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("value").asText(null);
            }
        }
        return null;
    }
}
