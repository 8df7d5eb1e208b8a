package dev.outrigger.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.outrigger.proxy.TrafficServer;
import dev.outrigger.testsupport.OriginResource;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as users run it: traffic port in front of a real origin, health and metrics
 * on the management port, nothing of Quarkus's own on the traffic port.
 */
@QuarkusTest
@WithTestResource(OriginResource.class)
class ApplicationTest {

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

    private HttpResponse<String> manage(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(management.toURI().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void quarkusPathsOnTheTrafficPortBelongToTheApplication() throws Exception {
        try (RawHttp client = RawHttp.connect(traffic.port())) {
            assertEquals(200, client.exchange("GET /q/health HTTP/1.1\nHost: app\n\n").status());
            assertEquals(200, client.exchange("GET /q/metrics HTTP/1.1\nHost: app\n\n").status());
        }
        assertEquals(1, origin.hits("/q/health"));
        assertEquals(1, origin.hits("/q/metrics"));
    }

    @Test
    void onLinuxTheEventLoopsRunOnEpoll() {
        String os = System.getProperty("os.name"), arch = System.getProperty("os.arch");
        assumeTrue(os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64")), "epoll ships for Linux x86_64 and aarch64");
        assertEquals("native transport", traffic.transport());
    }

    @Test
    void livenessAndReadinessAreUpOnTheManagementPort() throws Exception {
        HttpResponse<String> live = manage("/q/health/live");
        HttpResponse<String> ready = manage("/q/health/ready");

        assertEquals(200, live.statusCode(), live.body());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"upstream\""), ready.body());
        assertEquals(0, origin.hits("/q/health/live"), "health is answered by Outrigger, not forwarded");
    }

    @Test
    void readinessIsDownWhileTheUpstreamRefusesConnectionsAndLivenessStaysUp() throws Exception {
        origin.suspend();
        try {
            HttpResponse<String> ready = manage("/q/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals(200, manage("/q/health/live").statusCode());
        } finally {
            origin.resume();
        }
        assertEquals(200, manage("/q/health/ready").statusCode());
    }

    @Test
    void metricsCountRequestsByOutcomeAndUpstreamLatency() throws Exception {
        try (RawHttp client = RawHttp.connect(traffic.port())) {
            client.exchange("GET /counted HTTP/1.1\nHost: app\n\n");
        }
        HttpResponse<String> metrics = manage("/q/metrics");

        assertEquals(200, metrics.statusCode());
        double misses = sample(metrics.body(), "outrigger_requests_total{outcome=\"miss\",route=\"default\"}");
        assertTrue(misses >= 1, "a GET the cache could not answer counts as a miss: " + misses);
        assertTrue(sample(metrics.body(), "outrigger_upstream_latency_seconds_count") >= 1);
        assertTrue(metrics.body().contains("outrigger_requests_total{outcome=\"error\",route=\"default\"}"), "every outcome is exported from the start");
        assertTrue(!metrics.body().contains("http_server_requests"), "no per-URI meters for traffic");
        assertTrue(sample(metrics.body(), "outrigger_request_duration_seconds_count{outcome=\"miss\"}") >= 1, "timed by outcome");
        long buckets = metrics.body().lines().filter(l -> l.startsWith("outrigger_request_duration_seconds_bucket{") && l.contains("outcome=\"miss\""))
                .count();
        assertEquals(16, buckets, "a small fixed bucket set (15 bounds and +Inf), not ~70 generated ones");
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("outrigger_build_info{") && l.contains("version=\"0.1.0-SNAPSHOT\"")
                && l.endsWith(" 1.0")), "build info");
    }

    @Test
    void managementEndpointsAreNotServedOnTheTrafficPort() throws Exception {
        origin.respond("/q/health/ready", OriginServer.Response.status(418).body("the app's own"));
        try (RawHttp client = RawHttp.connect(traffic.port())) {
            RawHttp.Response r = client.exchange("GET /q/health/ready HTTP/1.1\nHost: app\n\n");
            assertEquals(418, r.status());
            assertEquals("the app's own", r.text());
        }
        assertTrue(URI.create(management.toString()).getPort() != traffic.port());
    }

    private static double sample(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElse(-1);
    }

    @Test
    void theAdminApiRefusesEveryCallWhenNoTokenIsConfigured() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(management.toURI().resolve("/admin/purge"))
                        .header("Authorization", "Bearer anything")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"all\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("OUTRIGGER_ADMIN_TOKEN"), r.body());
    }
}
