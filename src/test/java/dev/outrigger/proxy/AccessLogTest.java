package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.Await;
import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.TestProxy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The access log and X-Request-Id against a real origin: one line per request, the id the application got. */
class AccessLogTest {

    OriginServer origin = OriginServer.start();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Logger access = Logger.getLogger("outrigger.access");
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    };

    @BeforeEach
    void listen() {
        access.addHandler(capture);
    }

    @AfterEach
    void stop() {
        access.removeHandler(capture);
        origin.close();
    }

    @Test
    void everyRequestHasAnIdTheApplicationSees() throws Exception {
        origin.respond("/id", OriginServer.Response.ok("x"));
        try (TestProxy proxy = TestProxy.start(origin, s -> s)) {
            proxy.get("/id");
            String made = origin.last("/id").header("X-Request-Id");
            assertTrue(made.matches("[0-9a-f]{32}"), made);
            proxy.get("/id", "X-Request-Id: checkout-7f3a:42");
            assertEquals("checkout-7f3a:42", origin.last("/id").header("X-Request-Id"), "a sane client id is kept");
            proxy.get("/id", "X-Request-Id: has spaces\tand tabs");
            String replaced = origin.last("/id").header("X-Request-Id");
            assertTrue(replaced.matches("[0-9a-f]{32}"), "one that could break a log line is replaced: " + replaced);
            assertNotEquals(made, replaced);
        }
    }

    @Test
    void jsonLinesSayWhatBecameOfEachRequest() throws Exception {
        origin.respond("/p", OriginServer.Response.ok("hello").header("Cache-Control", "max-age=60"));
        try (TestProxy proxy = TestProxy.start(origin, s -> s.withAccessLog("json"))) {
            proxy.get("/p?token=secret", "X-Request-Id: req-1");
            Await.until(() -> lines.size() == 1, "the miss logged as it ends");
            proxy.await("HIT", "/p?token=secret");
            Await.until(() -> lines.stream().anyMatch(l -> l.contains("\"outcome\":\"hit\"")), "the hit logged");

            JsonObject miss = new JsonObject(lines.get(0));
            assertEquals("req-1", miss.getString("id"));
            assertEquals("GET", miss.getString("method"));
            assertEquals("/p", miss.getString("path"), "no query: it may carry tokens");
            assertEquals(200, miss.getInteger("status"));
            assertEquals("miss", miss.getString("outcome"));
            assertEquals("default", miss.getString("route"));
            assertTrue(miss.getDouble("upstream_ms") >= 0);
            assertTrue(miss.getDouble("total_ms") >= miss.getDouble("upstream_ms"));
            assertEquals(5, miss.getLong("bytes"));
            assertTrue(lines.stream().noneMatch(l -> l.contains("secret")));

            JsonObject hit = new JsonObject(lines.stream().filter(l -> l.contains("\"outcome\":\"hit\"")).findFirst().orElseThrow());
            assertNull(hit.getValue("upstream_ms"), "a hit asks no upstream");
            assertEquals(5, hit.getLong("bytes"));
        }
    }

    @Test
    void offByDefaultAndTextWhenAskedFor() throws Exception {
        origin.respond("/t", OriginServer.Response.ok("abc"));
        try (TestProxy proxy = TestProxy.start(origin, s -> s)) {
            proxy.get("/t");
        }
        assertEquals(List.of(), lines, "off unless configured");
        try (TestProxy proxy = TestProxy.start(origin, s -> s.withAccessLog("text"))) {
            proxy.get("/t", "X-Request-Id: t-1");
            Await.until(() -> lines.size() == 1, "one line");
        }
        assertTrue(lines.get(0).matches("t-1 GET /t 200 miss default [0-9.]+ [0-9.]+ 3"), lines.get(0));
    }
}
