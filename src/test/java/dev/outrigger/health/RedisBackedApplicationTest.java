package dev.outrigger.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.proxy.TrafficServer;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.OriginResource;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.RedisServerResource;
import dev.outrigger.testsupport.Resp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The application with QUARKUS_REDIS_HOSTS set: responses land in the real Redis, and when Redis dies
 * every request is still answered and the pod stays ready, reporting itself degraded.
 */
@QuarkusTest
@WithTestResource(OriginResource.class)
@WithTestResource(RedisServerResource.class)
class RedisBackedApplicationTest {

    @Inject
    TrafficServer traffic;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private String ready() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(management.toURI().resolve("/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private RawHttp.Response get(String path) throws Exception {
        try (RawHttp c = RawHttp.connect(traffic.port())) {
            return c.exchange("GET " + path + " HTTP/1.1\nHost: app\n\n");
        }
    }

    private static List<?> keys() {
        try {
            return (List<?>) Resp.once(RedisServerResource.server().port(), "KEYS", "orc:v1:*shared*");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void cachedResponsesAreWrittenToRedisUnderTheKeyPrefixAndTheFetchLeaseIsReleased() throws Exception {
        OriginResource.origin().respond("/shared", OriginServer.Response.ok("x").header("Cache-Control", "max-age=60"));
        get("/shared");

        // while the fetch runs, its lease (orc:v1:lease:http://app/shared) is there too; released once stored
        Await.until(() -> keys().equals(List.of("orc:v1:http://app/shared")), "only the entry is left, the lease released");
        assertTrue(ready().contains("memory over redis"), "readiness data names the layout");
    }

    @Test
    void theStoreSeriesExistBeforeAnythingWentWrong() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(management.toURI().resolve("/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        for (String operation : List.of("get", "put", "remove")) {
            for (String series : List.of("outrigger_store_errors_total", "outrigger_store_slow_total")) {
                String line = series + "{operation=\"" + operation + "\"}";
                assertTrue(r.body().contains(line), "registered from the start, for dashboards and alerts: " + line);
            }
        }
        assertTrue(r.body().lines().anyMatch(l -> l.startsWith("outrigger_store_circuit ")), "the circuit gauge");
    }

    @Test
    void theHealthDataSaysWhenRedisCanGrowWithoutBound() throws Exception {
        // the test Redis runs without maxmemory, as redis-server does by default
        Await.until(() -> {
            try {
                return ready().contains("\"redis-memory\": \"unbounded");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the memory check has been answered");
        assertTrue(ready().contains("set maxmemory"), ready());
    }

    @Test
    void withRedisKilledRequestsAreAnsweredAndThePodStaysReady() throws Exception {
        OriginResource.origin().respond("/live", OriginServer.Response.ok("still here"));
        RedisServerResource.server().kill();
        try {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = get("/live?i=" + i);
                assertEquals(200, r.status());
                assertEquals("still here", r.text());
            }
            // the circuit opens once the failures in a row have gone on for 250 ms; requests keep being answered
            int[] i = {10};
            Await.until(() -> {
                try {
                    RawHttp.Response r = get("/live?i=" + i[0]++);
                    assertEquals("still here", r.text());
                    return ready().contains("\"degraded\": true");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "readiness data says degraded while Redis is down");
        } finally {
            RedisServerResource.server().restart();
        }
    }

    @Test
    void aPurgeTheApplicationPublishesOnTheChannelDropsTheEntry() throws Exception {
        OriginServer origin = OriginResource.origin();
        origin.on("/tagged", req -> req.response().putHeader("Cache-Control", "max-age=600")
                .putHeader("Cache-Tag", "catalog").end("v" + origin.hits("/tagged")));
        get("/tagged");
        Await.until(() -> {
            try {
                return "HIT".equals(get("/tagged").header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stored");

        Resp.once(RedisServerResource.server().port(), "PUBLISH", "orc:v1:invalidate", "{\"tags\":[\"catalog\"]}");

        Await.until(() -> {
            try {
                return "v2".equals(get("/tagged").text());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "fetched again after the purge");
        assertEquals(List.of("H|t:catalog"), Resp.once(RedisServerResource.server().port(), "ZRANGE", "orc:v1:purges", "0", "-1"),
                "kept for replicas that start later");
    }
}
