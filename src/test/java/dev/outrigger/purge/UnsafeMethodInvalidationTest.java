package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9111 §4.4: a successful unsafe request invalidates its target (and a same-origin Location or
 * Content-Location) on every replica, and the replica that forwarded it never answers a request sent
 * after the response with what the request changed.
 */
class UnsafeMethodInvalidationTest {

    static TestRedis redis;
    OriginServer origin;
    Deployment deployment;
    TestProxy a;
    TestProxy b;
    final AtomicInteger version = new AtomicInteger(1);

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void start() throws Exception {
        redis.flush();
        origin = OriginServer.start();
        deployment = new Deployment(redis, origin);
        a = deployment.replica();
        b = deployment.replica();
        for (String path : new String[] {"/cart", "/cart/summary", "/orders/7"}) {
            origin.on(path, req -> {
                if (req.method().name().equals("GET")) {
                    req.response().putHeader("Cache-Control", "max-age=600").end(path + " v" + version.get());
                } else {
                    version.incrementAndGet();
                    req.response().setStatusCode(201).putHeader("Location", "/orders/7")
                            .putHeader("Content-Location", "http://" + Deployment.HOST + "/cart/summary").end();
                }
            });
        }
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
    }

    static RawHttp.Response send(int port, String method, String target) throws Exception {
        try (RawHttp c = RawHttp.connect(port)) {
            return c.exchange(method + " " + target + " HTTP/1.1\nHost: " + Deployment.HOST + "\nContent-Length: 0\n\n");
        }
    }

    void warm(String path) throws InterruptedException {
        Await.until(() -> "HIT".equals(Deployment.get(a.port(), path).header("X-Cache"))
                && "HIT".equals(Deployment.get(b.port(), path).header("X-Cache")), path + " cached on both replicas");
    }

    @Test
    void aGetRightAfterAPostNeverSeesTheOldEntry() throws Exception {
        for (int round = 0; round < 30; round++) {
            warm("/cart");
            int expected = version.get() + 1;

            assertEquals(201, send(a.port(), "POST", "/cart").status());
            RawHttp.Response after = Deployment.get(a.port(), "/cart");

            assertEquals("/cart v" + expected, after.text(), "round " + round);
        }
    }

    @Test
    void theOtherReplicasDropTheirCopies() throws Exception {
        warm("/cart");

        send(a.port(), "PUT", "/cart");

        Await.until(() -> Deployment.get(b.port(), "/cart").text().equals("/cart v2"), "replica b serves the new version");
    }

    @Test
    void sameOriginLocationAndContentLocationAreInvalidatedToo() throws Exception {
        warm("/orders/7");
        warm("/cart/summary");

        send(a.port(), "POST", "/cart");

        assertEquals("/orders/7 v2", Deployment.get(a.port(), "/orders/7").text());
        assertEquals("/cart/summary v2", Deployment.get(a.port(), "/cart/summary").text());
    }

    @Test
    void aFailedUnsafeRequestInvalidatesNothing() throws Exception {
        origin.on("/fail", req -> {
            if (req.method().name().equals("GET")) {
                req.response().putHeader("Cache-Control", "max-age=600").end("kept");
            } else {
                req.response().setStatusCode(500).end();
            }
        });
        Await.until(() -> "HIT".equals(Deployment.get(a.port(), "/fail").header("X-Cache")), "cached");

        send(a.port(), "DELETE", "/fail");

        assertEquals("HIT", Deployment.get(a.port(), "/fail").header("X-Cache"));
    }
}
