package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.CacheSettings;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.Deployment;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import dev.outrigger.testsupport.TestRedis;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shutdown as SIGTERM runs it (ProxyServer#drain): slow requests in flight finish within the grace, new
 * connections are refused once the delay is over, what outlives the grace is cut, and a lease the pod held goes
 * to another replica at once. The origin holds its answers until the test releases them: no sleeps.
 */
class DrainTest {

    OriginServer origin = OriginServer.start();
    final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    final AtomicInteger arrived = new AtomicInteger();

    @AfterEach
    void stop() {
        clients.shutdownNow();
        origin.close();
    }

    void holding(String path) {
        origin.on(path, req -> {
            origin.record(req, null);
            held.add(req);
            arrived.incrementAndGet();
        });
    }

    void release() {
        HttpServerRequest r;
        while ((r = held.poll()) != null) {
            HttpServerRequest req = r;
            req.response().putHeader("Cache-Control", "max-age=60").end("done " + req.path());
        }
    }

    /** Clients block on their sockets: a thread each (the common pool has one thread on a 2-core machine). */
    final ExecutorService clients = Executors.newCachedThreadPool();

    CompletableFuture<RawHttp.Response> getAsync(int port, String target) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawHttp c = RawHttp.connect(port)) {
                return c.exchange("GET " + target + " HTTP/1.1\nHost: shop.test\n\n");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    /** True when a new connection gets no answer: closed at once, as by a closed listener. */
    static boolean refused(int port) {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send("GET /new HTTP/1.1\nHost: shop.test\n\n");
            return c.closedByPeer();
        } catch (IOException e) {
            return true; // refused or reset
        }
    }

    @Test
    void requestsInFlightFinishWithinTheGraceWhileNewConnectionsAreRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            holding("/slow/" + i);
        }
        AtomicInteger reachedNew = new AtomicInteger();
        origin.on("/new", req -> {
            reachedNew.incrementAndGet();
            req.response().end("new");
        });
        TestProxy proxy = TestProxy.start(origin, s -> s);
        try {
            List<CompletableFuture<RawHttp.Response>> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(getAsync(proxy.port(), "/slow/" + i));
            }
            Await.until(() -> arrived.get() == 3, "three slow requests at the origin");
            var drained = proxy.drain(Duration.ofMillis(1), Duration.ofSeconds(30)).toCompletionStage().toCompletableFuture();
            assertTrue(proxy.draining(), "readiness is down from the start");
            Await.until(() -> refused(proxy.port()), "new connections refused once the delay is over");
            int servedInTheDelay = reachedNew.get(); // before the delay ran out, new connections were still served
            assertTrue(refused(proxy.port()));
            assertFalse(drained.isDone(), "three requests still in flight");
            release();
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = clients.get(i).get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("done /slow/" + i, r.text(), "answered in full, not cut");
            }
            drained.get(10, TimeUnit.SECONDS);
            assertEquals(3, arrived.get());
            assertEquals(servedInTheDelay, reachedNew.get(), "no request on a connection opened after the delay reached the application");
        } finally {
            proxy.close();
        }
    }

    @Test
    void whatOutlivesTheGraceIsCut() throws Exception {
        holding("/forever");
        TestProxy proxy = TestProxy.start(origin, s -> s);
        try {
            CompletableFuture<RawHttp.Response> client = getAsync(proxy.port(), "/forever");
            Await.until(() -> arrived.get() == 1, "the request at the origin");
            proxy.drain(Duration.ofMillis(1), Duration.ofMillis(200)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String outcome = client.handle((r, e) -> e != null ? "closed" : r.status() + " " + r.text()).get(10, TimeUnit.SECONDS);
            assertTrue(outcome.equals("closed") || outcome.startsWith("5"), "cut: closed, or the proxy's own error, never the origin's answer: "
                    + outcome);
        } finally {
            release();
            proxy.close();
        }
    }

    @Test
    void aLeaseThePodHeldGoesToAnotherReplicaAtOnce() throws Exception {
        holding("/hot");
        try (TestRedis redis = TestRedis.start(); Deployment deployment = new Deployment(redis, origin)) {
            // a lease and a wait far longer than the test: only a release lets the other replica fetch
            CoalesceSettings coalesce = CoalesceSettings.DEFAULT.withLeaseTtl(Duration.ofSeconds(60)).withWaitTimeout(Duration.ofSeconds(60));
            TestProxy leaving = deployment.replica(Clock.systemUTC(), coalesce, CacheSettings.DEFAULT);
            TestProxy staying = deployment.replica(Clock.systemUTC(), coalesce, CacheSettings.DEFAULT);
            CompletableFuture<RawHttp.Response> cut = getAsync(leaving.port(), "/hot");
            Await.until(() -> arrived.get() == 1, "the leaving replica leads the fetch");
            CompletableFuture<RawHttp.Response> waiting = getAsync(staying.port(), "/hot");
            Await.until(() -> staying.counter("outrigger.coalesce.waiters") == 1, "the other replica waits for it");
            leaving.drain(Duration.ofMillis(1), Duration.ofMillis(100)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Await.until(() -> arrived.get() == 2, Duration.ofSeconds(10), "the waiting replica fetched at once, not after the lease");
            release();
            RawHttp.Response r = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("done /hot", r.text());
            assertTrue(cut.handle((x, e) -> e != null || x.status() >= 500).get(10, TimeUnit.SECONDS), "the leaving pod's request was cut");
        }
    }

    @Test
    void anUpgradeDuringTheDelayKeepsItsConnectionHeaderAndATunnelDoesNotHoldTheDrain() throws Exception {
        origin.on("/raw", req -> {
            req.response().putHeader("Upgrade", "echo/1").putHeader("Connection", "Upgrade");
            req.toNetSocket().onSuccess(sock -> sock.handler(sock::write));
        });
        TestProxy proxy = TestProxy.start(origin, s -> s);
        try (RawHttp tunnel = RawHttp.connect(proxy.port())) {
            // a long delay: the drain has begun (readiness down) but requests are still served
            var drained = proxy.drain(Duration.ofSeconds(2), Duration.ofSeconds(60)).toCompletionStage().toCompletableFuture();
            RawHttp.Response switched = tunnel.exchange("GET /raw HTTP/1.1\nHost: app\nConnection: Upgrade\nUpgrade: echo/1\n\n");
            assertEquals(101, switched.status());
            assertEquals("upgrade", switched.header("Connection").toLowerCase(java.util.Locale.ROOT), "not replaced by the drain's Connection: close");
            // the open tunnel is no request in flight: the drain ends long before its 60 s grace
            drained.get(10, TimeUnit.SECONDS);
        } finally {
            proxy.close();
        }
    }
}
