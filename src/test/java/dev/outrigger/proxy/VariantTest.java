package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.CachePolicy;
import dev.outrigger.store.MemoryStore;
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
        proxy = TestProxy.start(origin, clock, new MemoryStore(16L << 20, clock),
                new CacheSettings(8L << 20, CachePolicy.Settings.DEFAULT, false).withVariants(Duration.ofMinutes(10), 3));
        origin.on("/v", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "X-Flavour")
                .end("flavour=" + req.getHeader("X-Flavour")));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    RawHttp.Response get(String... headers) throws Exception {
        StringBuilder req = new StringBuilder("GET /v HTTP/1.1\nHost: shop.test\n");
        for (String h : headers) {
            req.append(h).append('\n');
        }
        try (RawHttp c = RawHttp.connect(proxy.port())) {
            return c.exchange(req.append('\n').toString());
        }
    }

    RawHttp.Response awaitHit(String... headers) throws InterruptedException {
        RawHttp.Response[] last = new RawHttp.Response[1];
        Await.until(() -> {
            try {
                last[0] = get(headers);
                return "HIT".equals(last[0].header("X-Cache"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "a stored variant");
        return last[0];
    }

    @Test
    void anAbsentHeaderAndAnEmptyOneAreDifferentVariants() throws Exception {
        get("X-Flavour:");
        assertEquals("flavour=", awaitHit("X-Flavour:").text());

        RawHttp.Response absent = get();

        assertEquals("MISS", absent.header("X-Cache"));
        assertEquals("flavour=null", absent.text());
    }

    @Test
    void aUrlKeepsAtMostTheConfiguredNumberOfVariants() throws Exception {
        for (String f : new String[] {"a", "b", "c"}) {
            get("X-Flavour: " + f);
            awaitHit("X-Flavour: " + f);
        }

        RawHttp.Response fourth = get("X-Flavour: d");
        RawHttp.Response fourthAgain = get("X-Flavour: d");

        assertEquals("flavour=d", fourth.text(), "served all the same");
        assertEquals("MISS", fourthAgain.header("X-Cache"), "but not stored: the URL holds its three");
        assertEquals(2, proxy.counter("outrigger.cache.variants.capped"));
        assertEquals("HIT", get("X-Flavour: a").header("X-Cache"), "the stored ones stay");

        clock.advance(Duration.ofMinutes(2)); // the three expire (max-age=60): room again
        get("X-Flavour: d");
        assertEquals("flavour=d", awaitHit("X-Flavour: d").text());
    }
}
