package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.outrigger.testsupport.OriginServer.Response;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One user's answer must never reach another, and no user's request may shape what the cache fetches for
 * everyone: credentials, conditionals and Range stay with the client that sent them.
 */
class PrivateLeakTest {

    static final CoalesceSettings NO_EARLY_REFRESH = new CoalesceSettings(true, Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 0, true, () -> 1.0);

    OriginServer origin;
    MutableClock clock;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        proxy = proxy(CacheSettings.DEFAULT, NO_EARLY_REFRESH);
    }

    TestProxy proxy(CacheSettings cache, CoalesceSettings coalesce) {
        return TestProxy.start(origin, clock, TieredResponses.memory(16L << 20, clock), cache, Leases.LOCAL, coalesce);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }



    /** An origin that personalises by cookie the way real ones do: a private page for a session, a public one without. */
    void personalisingOrigin(String path, String vary) {
        origin.on(path, req -> {
            origin.record(req, null);
            String cookie = req.getHeader("Cookie");
            if (cookie != null) {
                req.response().putHeader("Cache-Control", "private, max-age=60").end("page of " + cookie);
            } else {
                if (vary != null) {
                    req.response().putHeader("Vary", vary);
                }
                req.response().putHeader("Cache-Control", "max-age=60").end("public page");
            }
        });
    }

    @Test
    void aResponseWithoutExplicitFreshnessToACookieRequestIsNotStored() throws Exception {
        String lastModified = HttpDate.format(clock.instant().minus(Duration.ofDays(10)));
        origin.on("/profile", req -> {
            origin.record(req, null);
            req.response().putHeader("Last-Modified", lastModified).end("profile");
        });
        // with coalescing off there is no fetch made for everyone: the client's own request, cookie included, goes out
        CoalesceSettings off = new CoalesceSettings(false, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 0, true, () -> 1.0);
        try (TestProxy uncoalesced = proxy(CacheSettings.DEFAULT, off)) {
            uncoalesced.get("/profile", "Cookie: sid=alice");
            assertEquals("sid=alice", origin.last("/profile").header("Cookie"));

            assertEquals("MISS", uncoalesced.get("/profile").header("X-Cache"), "heuristic freshness is not enough");
            assertEquals("HIT", uncoalesced.await("HIT", "/profile").header("X-Cache"), "without a cookie it is");
        }
    }

    @Test
    void aClientsOwnFetchWithItsCookieIsNeverStoredEvenWithExplicitFreshness() throws Exception {
        origin.on("/dash", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60").end("dashboard of " + req.getHeader("Cookie"));
        });
        CoalesceSettings off = new CoalesceSettings(false, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 0, true, () -> 1.0);
        try (TestProxy uncoalesced = proxy(CacheSettings.DEFAULT, off)) {
            RawHttp.Response alice = uncoalesced.get("/dash", "Cookie: sid=alice");
            assertEquals("dashboard of sid=alice", alice.text());
            assertEquals("Outrigger; fwd=uri-miss; fwd-status=200", alice.header("Cache-Status"), "not stored");

            RawHttp.Response bob = uncoalesced.get("/dash");
            assertEquals("dashboard of null", bob.text(), "never alice's, though the origin forgot private");
        }
    }

    @Test
    void aRequestDependentErrorDoesNotMarkTheUrlUncacheableForEveryone() throws Exception {
        origin.on("/list", req -> {
            if ("application/xml".equals(req.getHeader("Accept"))) {
                req.response().setStatusCode(406).end("no xml here");
            } else {
                req.response().putHeader("Cache-Control", "max-age=60").end("[1,2,3]");
            }
        });

        assertEquals(406, proxy.get("/list", "Accept: application/xml").status());

        assertFalse(proxy.coalescer().knownUnshareable("http://shop.test/list"), "a 406 is the asker's, not the URL's");
        proxy.get("/list");
        assertEquals("[1,2,3]", proxy.await("HIT", "/list").text());
    }

    @Test
    void aCookieSetForTheSharedFetchIsNeverHandedToAClientWithItsOwnCookie() throws Exception {
        origin.on("/welcome", req -> {
            origin.record(req, null);
            if (req.getHeader("Cookie") == null) {
                req.response().putHeader("Cache-Control", "max-age=60").putHeader("Set-Cookie", "sid=anonymous-new")
                        .end("welcome, stranger");
            } else {
                req.response().putHeader("Cache-Control", "private").end("welcome back, " + req.getHeader("Cookie"));
            }
        });
        CacheSettings storingCookies = new CacheSettings(8L << 20, CachePolicy.Settings.DEFAULT, true);
        try (TestProxy p = proxy(storingCookies, NO_EARLY_REFRESH)) {
            RawHttp.Response alice = p.get("/welcome", "Cookie: sid=alice");

            assertEquals("welcome back, sid=alice", alice.text());
            assertNull(alice.header("Set-Cookie"), "her session is not replaced by the anonymous one");
            RawHttp.Response stranger = p.await("HIT", "/welcome");
            assertNull(stranger.header("Set-Cookie"), "a stored copy never carries the cookie");
        }
    }

    @Test
    void configuredStaleWindowsNeverMakeAResponseWithoutFreshnessStorable() throws Exception {
        CacheSettings generous = new CacheSettings(8L << 20,
                new CachePolicy.Settings(Freshness.Heuristics.DEFAULT, Duration.ofMinutes(10), Duration.ofMinutes(10)), false);
        origin.respond("/plain", Response.ok("no caching words at all"));
        try (TestProxy p = proxy(generous, NO_EARLY_REFRESH)) {
            assertEquals("MISS", p.get("/plain").header("X-Cache"));
            assertEquals("MISS", p.get("/plain").header("X-Cache"));
        }
        assertEquals(2, origin.hits("/plain"));
    }

    @Test
    void aFetchLedByACookieRequestCarriesNoCookieOrAuthorization() throws Exception {
        origin.on("/catalog", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60").end("catalog");
        });

        RawHttp.Response first = proxy.get("/catalog", "Cookie: sid=alice", "Authorization: Bearer alice");

        assertEquals("catalog", first.text());
        assertNull(origin.last("/catalog").header("Cookie"), "made for everyone: no one's cookie");
        assertNull(origin.last("/catalog").header("Authorization"));
        assertEquals("HIT", proxy.await("HIT", "/catalog").header("X-Cache"));
        assertEquals(1, origin.hits("/catalog"));
    }

    @Test
    void aCookieClientGetsItsOwnPageWhenTheSharedOneVariesOnCookie() throws Exception {
        personalisingOrigin("/home", "Cookie");

        RawHttp.Response alice = proxy.get("/home", "Cookie: sid=alice");
        assertEquals("page of sid=alice", alice.text());
        RawHttp.Response anonymous = proxy.await("HIT", "/home");
        assertEquals("public page", anonymous.text());
        RawHttp.Response bob = proxy.get("/home", "Cookie: sid=bob");
        assertEquals("page of sid=bob", bob.text(), "never alice's");
        assertEquals("MISS", bob.header("X-Cache"));
    }

    @Test
    void whenTheKeyCoversTheCookieEachCookieGetsItsOwnStoredVariant() throws Exception {
        origin.on("/prefs", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Cookie")
                    .end("prefs of " + req.getHeader("Cookie"));
        });
        proxy.get("/prefs"); // the variant index now says: keyed on Cookie
        proxy.await("HIT", "/prefs");

        RawHttp.Response alice = proxy.get("/prefs", "Cookie: sid=alice");
        assertEquals("prefs of sid=alice", alice.text(), "her fetch carried her cookie: the key covers it");
        RawHttp.Response again = proxy.await("HIT", "/prefs", "Cookie: sid=alice");
        RawHttp.Response bob = proxy.get("/prefs", "Cookie: sid=bob");

        assertEquals("prefs of sid=alice", again.text());
        assertEquals("prefs of sid=bob", bob.text());
        assertEquals("MISS", bob.header("X-Cache"));
    }

    @Test
    void aCookieClientCannotTurnAUrlIntoHitForMissForEveryone() throws Exception {
        personalisingOrigin("/news", null);

        proxy.get("/news", "Cookie: sid=mallory");

        assertFalse(proxy.coalescer().knownUnshareable("http://shop.test/news"),
                "the fetch was made without her cookie, so its answer is shareable");
        RawHttp.Response anonymous = proxy.await("HIT", "/news");
        assertEquals("public page", anonymous.text());
    }

    @Test
    void aPrivateAnswerToASharedFetchSendsTheCredentialedClientToItsOwnFetchAndStoresNothing() throws Exception {
        origin.on("/orders", req -> {
            origin.record(req, null);
            if (req.getHeader("Authorization") == null) {
                req.response().setStatusCode(401).end("login first");
            } else {
                req.response().putHeader("Cache-Control", "public, max-age=60").end("orders of " + req.getHeader("Authorization"));
            }
        });

        RawHttp.Response alice = proxy.get("/orders", "Authorization: Bearer alice");

        assertEquals("orders of Bearer alice", alice.text());
        assertEquals("MISS", proxy.get("/orders").header("X-Cache"), "her answer was fetched for her alone");
        assertEquals(401, proxy.get("/orders").status());
    }

    @Test
    void aBackgroundRefreshCarriesNoneOfTheTriggeringClientsHeaders() throws Exception {
        AtomicInteger version = new AtomicInteger(1);
        origin.on("/doc", req -> {
            origin.record(req, null);
            req.response().putHeader("Cache-Control", "max-age=10, stale-while-revalidate=60")
                    .putHeader("ETag", "\"v" + version.get() + "\"").end("doc v" + version.get());
        });
        proxy.get("/doc");
        proxy.await("HIT", "/doc");
        clock.advance(Duration.ofSeconds(20));
        version.set(2);

        RawHttp.Response stale = proxy.get("/doc", "Cookie: sid=alice", "Authorization: Bearer alice",
                "If-None-Match: \"mine\"", "If-Modified-Since: " + HttpDate.format(clock.instant()), "Range: bytes=0-1");

        assertEquals("STALE", stale.header("X-Cache"));
        Await.until(() -> origin.hits("/doc") == 2, "the background refresh reached the origin");
        OriginServer.Received refresh = origin.last("/doc");
        assertNull(refresh.header("Cookie"));
        assertNull(refresh.header("Authorization"));
        assertNull(refresh.header("Range"));
        assertNull(refresh.header("If-Modified-Since"));
        assertEquals("\"v1\"", refresh.header("If-None-Match"), "the cache's own validator, not the client's");
    }

    @Test
    void a304ThatMakesTheResponsePrivateDropsTheStoredCopy() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin.on("/acct", req -> {
            if (calls.incrementAndGet() == 1) {
                req.response().putHeader("Cache-Control", "max-age=10").putHeader("ETag", "\"a\"").end("first");
            } else if (req.getHeader("If-None-Match") != null) {
                req.response().setStatusCode(304).putHeader("ETag", "\"a\"")
                        .putHeader("Cache-Control", "private, max-age=60").end();
            } else {
                req.response().putHeader("Cache-Control", "private").end("fresh, private");
            }
        });
        proxy.get("/acct");
        proxy.await("HIT", "/acct");
        clock.advance(Duration.ofSeconds(20));

        RawHttp.Response revalidated = proxy.get("/acct");
        assertEquals(200, revalidated.status());

        RawHttp.Response next = proxy.get("/acct");
        assertEquals("MISS", next.header("X-Cache"), "no longer shared once the origin said private");
        assertEquals("fresh, private", next.text());
    }

    @Test
    void a304ThatSaysNoStoreDropsTheStoredCopy() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin.on("/tmp", req -> {
            if (calls.incrementAndGet() == 1) {
                req.response().putHeader("Cache-Control", "max-age=10").putHeader("ETag", "\"t\"").end("first");
            } else if (req.getHeader("If-None-Match") != null) {
                req.response().setStatusCode(304).putHeader("ETag", "\"t\"").putHeader("Cache-Control", "no-store").end();
            } else {
                req.response().putHeader("Cache-Control", "no-store").end("not to be kept");
            }
        });
        proxy.get("/tmp");
        proxy.await("HIT", "/tmp");
        clock.advance(Duration.ofSeconds(20));

        proxy.get("/tmp");

        assertEquals("MISS", proxy.get("/tmp").header("X-Cache"));
        assertEquals(3, calls.get());
    }

    @Test
    void a304ThatAddsAVaryKeepsVariantsApart() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        origin.on("/greet", req -> {
            if (calls.incrementAndGet() == 1) {
                req.response().putHeader("Cache-Control", "max-age=10").putHeader("ETag", "\"g\"").end("hello");
            } else if (req.getHeader("If-None-Match") != null) {
                req.response().setStatusCode(304).putHeader("ETag", "\"g\"").putHeader("Cache-Control", "max-age=60")
                        .putHeader("Vary", "Accept-Language").end();
            } else {
                req.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Accept-Language")
                        .end("lang " + req.getHeader("Accept-Language"));
            }
        });
        proxy.get("/greet", "Accept-Language: en");
        proxy.await("HIT", "/greet");
        clock.advance(Duration.ofSeconds(20));

        proxy.get("/greet", "Accept-Language: en");
        RawHttp.Response french = proxy.get("/greet", "Accept-Language: fr");

        assertEquals("MISS", french.header("X-Cache"), "the new Vary keeps the English copy from a French request");
        assertEquals("lang fr", french.text());
    }
}
