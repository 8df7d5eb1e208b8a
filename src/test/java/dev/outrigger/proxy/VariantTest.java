package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Vary (RFC 9111 §4.1): variants kept apart exactly, and no client can make a URL hold unbounded variants. */
class VariantTest {

    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        proxy = TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock),
                new CacheSettings(8L << 20, CachePolicy.Settings.DEFAULT, false).withVariants(Duration.ofMinutes(10), 3));
        origin.on("/v", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Flavour")
                .end("flavour=" + req.getHeader("X-Flavour")));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }



    @Test
    void noVariantOfAnInvalidatedUrlIsServedAgain() throws Exception {
        int[] version = {0};
        origin.on("/menu", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Flavour")
                .end("v" + (req.method().name().equals("POST") ? ++version[0] : version[0]) + " " + req.getHeader("X-Flavour")));
        for (String f : new String[] {"a", "b"}) {
            proxy.get("/menu", "X-Flavour: " + f);
            proxy.await("HIT", "/menu", "X-Flavour: " + f);
        }
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            assertEquals(200, c.exchange("POST /menu HTTP/1.1\nHost: " + TestProxy.HOST + "\nContent-Length: 0\n\n").status());
        }

        RawHttp.Response a = proxy.get("/menu", "X-Flavour: a"); // stores a new index that lists a alone
        proxy.await("HIT", "/menu", "X-Flavour: a");
        RawHttp.Response b = proxy.get("/menu", "X-Flavour: b");

        assertEquals("v1 a", a.text());
        assertEquals("MISS", b.header("X-Cache"), "b's old variant went with the URL's invalidation");
        assertEquals("v1 b", b.text());
    }

    @Test
    void anAbsentHeaderAndAnEmptyOneAreDifferentVariants() throws Exception {
        proxy.get("/v", "X-Flavour:");
        assertEquals("flavour=", proxy.await("HIT", "/v", "X-Flavour:").text());

        RawHttp.Response absent = proxy.get("/v");

        assertEquals("MISS", absent.header("X-Cache"));
        assertEquals("flavour=null", absent.text());
    }

    @Test
    void aResponseVaryingOnTheClientsAddressIsNeverStored() throws Exception {
        origin.on("/geo", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Forwarded-For")
                .end("near " + req.getHeader("X-Forwarded-For")));

        proxy.get("/geo", "X-Forwarded-For: 1.2.3.4");
        RawHttp.Response again = proxy.get("/geo", "X-Forwarded-For: 5.6.7.8");

        assertEquals("MISS", again.header("X-Cache"), "one variant per client: as good as Vary: *");
    }

    @Test
    void aResponseVaryingOnTheRequestIdIsNeverStored() throws Exception {
        // the proxy gives each request without a usable id one of its own: every request is a variant of its own
        origin.on("/traced", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Request-Id")
                .end("for " + req.getHeader("X-Request-Id")));

        RawHttp.Response first = proxy.get("/traced");
        RawHttp.Response second = proxy.get("/traced");

        assertFalse(first.header("Cache-Status").contains("stored"), first.header("Cache-Status"));
        assertEquals("MISS", second.header("X-Cache"));
        assertNotEquals(first.text(), second.text(), "each request's own id reached the application");
    }

    @Test
    void aUrlKeepsAtMostTheConfiguredNumberOfVariants() throws Exception {
        for (String f : new String[] {"a", "b", "c"}) {
            proxy.get("/v", "X-Flavour: " + f);
            proxy.await("HIT", "/v", "X-Flavour: " + f);
        }

        RawHttp.Response fourth = proxy.get("/v", "X-Flavour: d");
        RawHttp.Response fourthAgain = proxy.get("/v", "X-Flavour: d");

        assertEquals("flavour=d", fourth.text(), "served all the same");
        assertEquals("MISS", fourthAgain.header("X-Cache"), "but not stored: the URL holds its three");
        // counted when the write is attempted, after each client had its response
        Await.until(() -> proxy.counter("outrigger.cache.variants.capped") == 2, "both writes of the fourth refused");
        assertEquals("HIT", proxy.get("/v", "X-Flavour: a").header("X-Cache"), "the stored ones stay");

        clock.advance(Duration.ofMinutes(2)); // the three expire (max-age=60): room again
        proxy.get("/v", "X-Flavour: d");
        assertEquals("flavour=d", proxy.await("HIT", "/v", "X-Flavour: d").text());
    }
}
