package dev.outrigger.testsupport;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real RFC 7662 introspection endpoint on a random port for the application under test: tokens starting with
 * {@code good-} are active (their rest is the {@code sub}), every other is inactive. Wired in through
 * {@code outrigger.session.introspection.url}; counts its calls.
 */
public class IntrospectionResource implements QuarkusTestResourceLifecycleManager {

    private static volatile HttpServer server;
    private static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/introspect", exchange -> {
            CALLS.incrementAndGet();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = "";
            for (String pair : form.split("&")) {
                if (pair.startsWith("token=")) {
                    token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                }
            }
            String body = token.startsWith("good-") ? "{\"active\":true,\"sub\":\"" + token.substring(5) + "\"}" : "{\"active\":false}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return Map.of("outrigger.session.introspection.url", "http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public static int calls() {
        return CALLS.get();
    }
}
