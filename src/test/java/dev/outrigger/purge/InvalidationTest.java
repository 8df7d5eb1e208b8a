package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.HttpDate;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.StoredResponseCodec;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.Resp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Purges issued on one replica (or published by an application on the channel) reach every replica
 * sharing the real Redis: what they target is fetched again everywhere, what they do not target is not.
 */
class InvalidationTest {

    static TestRedis testRedis;

    OriginServer origin;
    Deployment deployment;
    TestProxy a;
    TestProxy b;
    TestProxy c;

    @BeforeAll
    static void startRedis() throws Exception {
        testRedis = TestRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        testRedis.close();
    }

    @BeforeEach
    void start() throws Exception {
        testRedis.flush();
        origin = OriginServer.start();
        deployment = new Deployment(testRedis, origin);
        a = deployment.replica();
        b = deployment.replica();
        c = deployment.replica();
    }

    @AfterEach
    void stop() throws Exception {
        deployment.close();
        origin.close();
    }

    /** The origin answers {@code path} with its version (how many times it was fetched), tagged {@code tags}. */
    void serve(String path, String tags, String... headers) {
        origin.on(path, req -> {
            var resp = req.response().putHeader("Cache-Control", "max-age=600");
            if (tags != null) {
                resp.putHeader("Surrogate-Key", tags);
            }
            for (int i = 0; i < headers.length; i += 2) {
                resp.putHeader(headers[i], headers[i + 1]);
            }
            resp.end(req.uri() + " v" + origin.hits(path));
        });
    }

    /** Fetches through {@code first}, then waits until every replica serves it as a hit. */
    void warm(String target, String... headers) throws Exception {
        Deployment.get(a.port(), target, headers);
        for (TestProxy p : List.of(a, b, c)) {
            Await.until(() -> "HIT".equals(Deployment.get(p.port(), target, headers).header("X-Cache")), target + " is stored");
        }
    }

    /**
     * The body {@code p} serves, once any fetch that request made has been stored (a client has its
     * response before the store does; the next request, to another replica, must find it there).
     */
    static String body(TestProxy p, String target, String... headers) throws InterruptedException {
        String text = Deployment.get(p.port(), target, headers).text();
        Await.until(() -> p.coalescer().inFlight() == 0, "the fetch, if any, is stored");
        return text;
    }

    /** Issues {@code p} on one replica and waits until every replica has heard it on the channel. */
    void purge(TestProxy on, Purge p) throws Exception {
        List<TestProxy> all = List.of(a, b, c);
        double[] before = all.stream().mapToDouble(InvalidationTest::totalPurges).toArray();
        on.purgeBus().purge(p).await().atMost(Duration.ofSeconds(5));
        for (int i = 0; i < all.size(); i++) {
            TestProxy r = all.get(i);
            double was = before[i];
            Await.until(() -> totalPurges(r) > was, "every replica applied the purge");
        }
    }

    static double totalPurges(TestProxy p) {
        double sum = 0;
        for (String kind : new String[] {"url", "tag", "prefix", "all"}) {
            for (String mode : new String[] {"hard", "soft"}) {
                sum += p.counter("outrigger.purges", "kind", kind, "mode", mode);
            }
        }
        return sum;
    }

    static Purge tags(String... t) {
        return new Purge(List.of(), List.of(t), List.of(), false, false, 0);
    }

    @Test
    void aTagPurgeOnOneReplicaReachesEveryReplicaAndSparesWhatItDoesNotName() throws Exception {
        serve("/p/1", "product-1 shoes");
        serve("/p/2", "product-2, shoes");
        serve("/about", null);
        for (String t : List.of("/p/1", "/p/2", "/about")) {
            warm(t);
        }

        purge(a, tags("product-1"));

        assertEquals("/p/1 v2", body(b, "/p/1"));
        assertEquals("/p/1 v2", body(c, "/p/1"));
        assertEquals("/p/1 v2", body(a, "/p/1"));
        assertEquals("/p/2 v1", body(c, "/p/2"));
        assertEquals("/about v1", body(b, "/about"));
        assertEquals(2, origin.hits("/p/1"));
    }

    @Test
    void aTagSharedByManyEntriesPurgesThemAll() throws Exception {
        serve("/p/1", "product-1 shoes");
        serve("/p/2", "product-2 shoes");
        warm("/p/1");
        warm("/p/2");

        purge(b, tags("shoes"));

        assertEquals("/p/1 v2", body(c, "/p/1"));
        assertEquals("/p/2 v2", body(a, "/p/2"));
    }

    @Test
    void aUrlPurgeDropsEveryVariantOfThatUrlAndNoOtherQuery() throws Exception {
        serve("/greeting", null, "Vary", "Accept-Language");
        warm("/greeting", "Accept-Language: en");
        warm("/greeting", "Accept-Language: fr");
        warm("/greeting?x=1", "Accept-Language: en");

        purge(c, new Purge(List.of("/greeting"), List.of(), List.of(), false, false, 0));

        assertEquals("/greeting v4", body(a, "/greeting", "Accept-Language: en"));
        assertEquals("/greeting v5", body(b, "/greeting", "Accept-Language: fr"));
        assertEquals("/greeting?x=1 v3", body(b, "/greeting?x=1", "Accept-Language: en"));
    }

    @Test
    void aPrefixPurgeDropsEverythingUnderIt() throws Exception {
        serve("/img/a.png", null);
        serve("/img/b.png", null);
        serve("/imgs/c.png", null);
        for (String t : List.of("/img/a.png", "/img/b.png?v=2", "/imgs/c.png")) {
            warm(t);
        }

        purge(a, new Purge(List.of(), List.of(), List.of("/img/"), false, false, 0));

        assertEquals("/img/a.png v2", body(b, "/img/a.png"));
        assertEquals("/img/b.png?v=2 v2", body(c, "/img/b.png?v=2"));
        assertEquals("/imgs/c.png v1", body(a, "/imgs/c.png"));
    }

    @Test
    void aFlushDropsEverything() throws Exception {
        serve("/x", "t");
        serve("/y", null);
        warm("/x");
        warm("/y");

        purge(b, new Purge(List.of(), List.of(), List.of(), true, false, 0));

        assertEquals("/x v2", body(a, "/x"));
        assertEquals("/y v2", body(c, "/y"));
    }

    @Test
    void aSoftPurgeServesStaleWhileOneRefreshRunsForTheWholeDeployment() throws Exception {
        origin.on("/news", req -> io.vertx.core.Vertx.currentContext().owner().setTimer(300, id -> req.response()
                .putHeader("Cache-Control", "max-age=600").putHeader("Surrogate-Key", "news")
                .end("news v" + origin.hits("/news"))));
        warm("/news");

        purge(a, new Purge(List.of(), List.of("news"), List.of(), false, true, 0));
        List<RawHttp.Response> during = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RawHttp.Response>> pending = new ArrayList<>();
            for (TestProxy p : List.of(a, b, c, a, b, c)) {
                pending.add(clients.submit(() -> Deployment.get(p.port(), "/news")));
            }
            for (Future<RawHttp.Response> f : pending) {
                during.add(f.get(10, TimeUnit.SECONDS));
            }
        }

        for (RawHttp.Response r : during) {
            assertEquals("STALE", r.header("X-Cache"));
            assertEquals("news v1", r.text());
        }
        Await.until(() -> origin.hits("/news") == 2 && List.of(a, b, c).stream().allMatch(p -> p.coalescer().inFlight() == 0),
                "the one refresh is stored");
        assertEquals("news v2", body(c, "/news"));
        assertEquals("news v2", body(b, "/news"));
        assertEquals(2, origin.hits("/news"), "one refresh for all three replicas");
    }

    @Test
    void anApplicationPublishingOnTheChannelPurgesLikeTheApi() throws Exception {
        serve("/p/1", "product-1");
        warm("/p/1");

        Resp.once(testRedis.server().port(), "PUBLISH", "outrigger:invalidate", "{\"tags\":[\"product-1\"]}");

        for (TestProxy p : List.of(a, b, c)) {
            Await.until(() -> p.purgeBus().purges().size() == 1, "every replica heard it");
        }
        assertEquals("/p/1 v2", body(b, "/p/1"));
        assertEquals("/p/1 v2", body(c, "/p/1"));
    }

    @Test
    void aMessageOnTheChannelThatIsNotAPurgeIsCountedAndChangesNothing() throws Exception {
        serve("/p/1", "product-1");
        warm("/p/1");

        Resp.once(testRedis.server().port(), "PUBLISH", "outrigger:invalidate", "{\"tagz\":[\"product-1\"]}");

        Await.until(() -> a.counter("outrigger.purge.rejected") == 1, "the message was rejected");
        assertEquals("/p/1 v1", body(a, "/p/1"));
    }

    @Test
    void aReplicaStartedAfterAPurgeDoesNotServeWhatItPurged() throws Exception {
        serve("/p/1", "product-1");
        warm("/p/1");
        purge(a, tags("product-1"));

        TestProxy late = deployment.replica(); // reads the records when it subscribes

        assertEquals("/p/1 v2", body(late, "/p/1"));
    }

    @Test
    void tagHeadersNeverReachClients() throws Exception {
        serve("/p/1", "product-1");
        origin.on("/raw", req -> req.response().putHeader("Cache-Tag", "x").putHeader("xkey", "y").end("uncached"));

        RawHttp.Response miss = Deployment.get(a.port(), "/p/1");
        warm("/p/1");
        RawHttp.Response hit = Deployment.get(b.port(), "/p/1");
        RawHttp.Response passed = Deployment.get(c.port(), "/raw");

        assertNull(miss.header("Surrogate-Key"));
        assertNull(hit.header("Surrogate-Key"));
        assertNull(passed.header("Cache-Tag"));
        assertNull(passed.header("xkey"));
    }

    @Test
    void tagHeadersCanBeKeptForClients() throws Exception {
        CacheSettings keep = new CacheSettings(8L << 20, dev.outrigger.policy.CachePolicy.Settings.DEFAULT, false,
                CacheSettings.TAG_HEADERS, false, Duration.ofDays(7));
        TestProxy keeping = deployment.replica(Clock.systemUTC(), CoalesceSettings.DEFAULT, keep);
        serve("/p/1", "product-1");

        assertEquals("product-1", Deployment.get(keeping.port(), "/p/1").header("Surrogate-Key"));
    }

    @Test
    void aTagPurgeOverOneHundredThousandEntries() throws Exception {
        int n = 100_000;
        Instant stored = Instant.now().minusSeconds(1);
        Headers headers = Headers.of("Cache-Control", "max-age=600", "Date", HttpDate.format(stored));
        List<Request> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] value = StoredResponseCodec.encode(new StoredResponse(200, headers,
                    ("item " + i + " v0").getBytes(StandardCharsets.UTF_8), stored, stored, List.of("bulk", "item-" + i), stored));
            writes.add(Request.cmd(Command.SET).arg("orc:v1:http://" + Deployment.HOST + "/item/" + i).arg(Buffer.buffer(value))
                    .arg("PX").arg(600_000));
            if (writes.size() == 2000) {
                testRedis.client().batch(writes).await().atMost(Duration.ofSeconds(30));
                writes.clear();
            }
        }
        serve("/keep", "other");
        warm("/keep");
        origin.on("/item/*", req -> { }); // not used: the items are answered from the store
        assertEquals("item 7 v0", body(b, "/item/7"), "the written entries are served");

        long started = System.nanoTime();
        purge(a, tags("bulk"));
        long micros = (System.nanoTime() - started) / 1000;
        System.out.printf("tag purge over %d entries: %d µs until every replica applied it%n", n, micros);

        Random random = new Random(7);
        for (int k = 0; k < 50; k++) {
            int i = random.nextInt(n);
            String path = "/item/" + i;
            serve(path, "bulk");
            assertEquals(path + " v1", body(List.of(a, b, c).get(k % 3), path), "item " + i + " was purged");
        }
        assertEquals("/keep v1", body(c, "/keep"));
    }
}
