package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.HttpDate;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.MutableClock;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 9111 behaviours of stored responses end to end: validation, stale rules, header parsing. */
class RevalidationTest {

    static final CacheSettings GENEROUS = new CacheSettings(8L << 20,
            new CachePolicy.Settings(Freshness.Heuristics.DEFAULT, Duration.ofMinutes(10), Duration.ofMinutes(10)), false);

    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        proxy = proxy(CacheSettings.DEFAULT);
    }

    TestProxy proxy(CacheSettings cache) {
        return TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock), cache, Leases.LOCAL,
                new CoalesceSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), 0, true,
                        () -> 1.0));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }



    /** Answers 304 to its own ETag, else the body; counts the full answers. */
    AtomicInteger validatingOrigin(String path, String cacheControl) {
        AtomicInteger full = new AtomicInteger();
        origin.on(path, req -> {
            origin.record(req, null);
            var resp = req.response().putHeader("ETag", "\"e1\"").putHeader("Date", HttpDate.format(clock.instant()));
            if (cacheControl != null) {
                resp.putHeader("Cache-Control", cacheControl);
            }
            if ("\"e1\"".equals(req.getHeader("If-None-Match"))) {
                resp.setStatusCode(304).end();
            } else {
                full.incrementAndGet();
                resp.end("body of " + path);
            }
        });
        return full;
    }

    @Test
    void aNoCacheResponseWithAnEtagIsStoredAndRevalidatedOnEveryUse() throws Exception {
        AtomicInteger full = validatingOrigin("/nc", "no-cache");

        assertEquals("MISS", proxy.get("/nc").header("X-Cache"));
        RawHttp.Response second = proxy.await("HIT", "/nc");

        assertEquals("body of /nc", second.text());
        assertEquals("\"e1\"", origin.last("/nc").header("If-None-Match"), "revalidated with the stored validator");
        assertEquals("Outrigger; fwd=stale; fwd-status=304; stored", second.header("Cache-Status"));
        assertEquals(1, full.get(), "the body came once; every later use was a 304");
        int before = origin.hits("/nc");
        proxy.get("/nc");
        assertEquals(before + 1, origin.hits("/nc"), "never served without asking the origin");
    }

    @Test
    void aLastModifiedAloneWithHeuristicsOffIsRevalidatedEachTime() throws Exception {
        CacheSettings noHeuristics = new CacheSettings(8L << 20,
                new CachePolicy.Settings(Freshness.Heuristics.OFF, Duration.ZERO, Duration.ZERO), false);
        String lastModified = HttpDate.format(clock.instant().minus(Duration.ofDays(3)));
        AtomicInteger full = new AtomicInteger();
        origin.on("/lm", req -> {
            var resp = req.response().putHeader("Last-Modified", lastModified);
            if (lastModified.equals(req.getHeader("If-Modified-Since"))) {
                resp.setStatusCode(304).end();
            } else {
                full.incrementAndGet();
                resp.end("document");
            }
        });
        try (TestProxy p = proxy(noHeuristics)) {
            p.get("/lm");
            RawHttp.Response revalidated = p.await("HIT", "/lm");
            assertEquals("document", revalidated.text());
            assertEquals(1, full.get());
        }
    }

    @Test
    void mustRevalidateIsNeverServedStaleAndAnUnreachableOriginIs504() throws Exception {
        validatingOrigin("/mr", "max-age=10, must-revalidate");
        try (TestProxy p = proxy(GENEROUS)) {
            p.get("/mr");
            p.await("HIT", "/mr");
            clock.advance(Duration.ofSeconds(20));
            origin.suspend();
            try {
                RawHttp.Response down = p.get("/mr");
                assertEquals(504, down.status(), "RFC 9111 §5.2.2.2, whatever the configured stale windows");
            } finally {
                origin.resume();
            }
        }
    }

    @Test
    void sMaxageAndProxyRevalidateAndNoCacheAreNeverServedStale() throws Exception {
        for (String cc : new String[] {"s-maxage=10", "max-age=10, proxy-revalidate", "no-cache, max-age=10"}) {
            String path = "/never-stale-" + cc.replaceAll("[^a-z]", "");
            validatingOrigin(path, cc);
            try (TestProxy p = proxy(GENEROUS)) {
                p.get(path);
                Await.until(() -> origin.hits(path) >= 1, "fetched");
                clock.advance(Duration.ofSeconds(20));
                int before = origin.hits(path);
                RawHttp.Response r = p.get(path, "Cache-Control: max-stale=600");
                assertEquals(before + 1, origin.hits(path), cc + ": revalidated, not served stale");
                assertEquals(200, r.status());
            }
        }
    }

    @Test
    void directiveNamesAreCaseInsensitive() throws Exception {
        origin.on("/caps", req -> req.response().putHeader("Cache-Control", "Max-Age=60").end("caps"));
        origin.on("/nostore", req -> req.response().putHeader("Cache-Control", "NO-STORE, max-age=60").end("x"));

        proxy.get("/caps");
        proxy.await("HIT", "/caps");
        proxy.get("/nostore");
        assertEquals("MISS", proxy.get("/nostore").header("X-Cache"));
        assertEquals("BYPASS", proxy.get("/caps", "Cache-Control: NO-STORE").header("X-Cache"));
    }

    @Test
    void anAgeThatIsNotANumberIsIgnored() throws Exception {
        origin.on("/age", req -> req.response().putHeader("Cache-Control", "max-age=60").putHeader("Age", "10 seconds")
                .putHeader("Date", HttpDate.format(clock.instant())).end("aged"));

        proxy.get("/age");
        RawHttp.Response hit = proxy.await("HIT", "/age");

        assertEquals("0", hit.header("Age"));
        assertEquals("Outrigger; hit; ttl=60", hit.header("Cache-Status"));
    }

    @Test
    void expiresInEveryDateFormatAndInvalidExpiresMeansExpired() throws Exception {
        Instant in60 = clock.instant().plusSeconds(60);
        String date = HttpDate.format(clock.instant());
        String[] forms = {HttpDate.format(in60), "Sunday, 01-Mar-26 12:01:00 GMT", "Sun Mar  1 12:01:00 2026"};
        for (int i = 0; i < forms.length; i++) {
            String expires = forms[i];
            origin.on("/exp" + i, req -> req.response().putHeader("Date", date).putHeader("Expires", expires).end("e"));
            proxy.get("/exp" + i);
            RawHttp.Response hit = proxy.await("HIT", "/exp" + i);
            assertEquals("Outrigger; hit; ttl=60", hit.header("Cache-Status"), expires);
        }
        origin.on("/bad", req -> req.response().putHeader("Date", date).putHeader("Expires", "0")
                .putHeader("ETag", "\"b\"").end("b"));
        proxy.get("/bad");
        int before = origin.hits("/bad");
        proxy.get("/bad");
        assertEquals(before + 1, origin.hits("/bad"), "already expired: revalidated");
    }

    @Test
    void aClientsIfNoneMatchAgainstAVariedResponseIsAnsweredForItsVariant() throws Exception {
        origin.on("/lang", req -> {
            String lang = req.getHeader("Accept-Language");
            req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Accept-Language")
                    .putHeader("ETag", "\"" + lang + "\"").end("in " + lang);
        });
        proxy.get("/lang", "Accept-Language: en");
        proxy.get("/lang", "Accept-Language: fr");
        proxy.await("HIT", "/lang", "Accept-Language: en");
        proxy.await("HIT", "/lang", "Accept-Language: fr");

        RawHttp.Response enMatch = proxy.get("/lang", "Accept-Language: en", "If-None-Match: \"en\"");
        RawHttp.Response frWithEnTag = proxy.get("/lang", "Accept-Language: fr", "If-None-Match: \"en\"");

        assertEquals(304, enMatch.status());
        assertEquals("\"en\"", enMatch.header("ETag"));
        assertEquals(200, frWithEnTag.status(), "the French variant's tag is another");
        assertEquals("in fr", frWithEnTag.text());
    }

    @Test
    void a304MergesIntoAVariedVariantAndItsStoredBodyIsServed() throws Exception {
        AtomicInteger full = new AtomicInteger();
        origin.on("/vv", req -> {
            String lang = req.getHeader("Accept-Language");
            var resp = req.response().putHeader("Vary", "Accept-Language").putHeader("ETag", "\"" + lang + "\"")
                    .putHeader("Cache-Control", "max-age=10").putHeader("X-Version", "v" + (full.get() + 1));
            if (("\"" + lang + "\"").equals(req.getHeader("If-None-Match"))) {
                resp.putHeader("X-Version", "refreshed").setStatusCode(304).end();
            } else {
                full.incrementAndGet();
                resp.end("in " + lang);
            }
        });
        proxy.get("/vv", "Accept-Language: de");
        proxy.await("HIT", "/vv", "Accept-Language: de");
        clock.advance(Duration.ofSeconds(20));

        RawHttp.Response revalidated = proxy.get("/vv", "Accept-Language: de");

        assertEquals("in de", revalidated.text());
        assertEquals("refreshed", revalidated.header("X-Version"), "RFC 9111 §4.3.4: the 304's fields replace the stored ones");
        assertEquals(1, full.get());
        RawHttp.Response after = proxy.await("HIT", "/vv", "Accept-Language: de");
        assertEquals("refreshed", after.header("X-Version"));
        assertNull(after.header("Content-Range"));
    }
}
