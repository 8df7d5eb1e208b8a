package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.rules.Route;
import dev.outrigger.rules.Routes;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routes as SmallRye Config reads them: the YAML shape of the issue (the e-commerce example in
 * {@code src/test/resources/routes}), every field overridable by env vars ({@code OUTRIGGER_ROUTES_0__TTL}),
 * routes from env alone, and a bad rule refused with its name and field.
 */
class RouteConfigTest {

    static OutriggerConfig config(boolean yaml, Map<String, String> env) throws IOException {
        return config(yaml ? "/routes/ecommerce.yaml" : null, env);
    }

    /** The config tree from a YAML resource (null: none) under env vars, read as the application reads it. */
    static OutriggerConfig config(String yamlResource, Map<String, String> env) throws IOException {
        // Quarkus's own converters, as the application has them ("5m", "64M")
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().withMapping(OutriggerConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new EnvConfigSource(env, 300));
        if (yamlResource != null) {
            b.withSources(new YamlConfigSource(RouteConfigTest.class.getResource(yamlResource), 255));
        }
        SmallRyeConfig config = b.build();
        return config.getConfigMapping(OutriggerConfig.class);
    }

    static Routes routes(boolean yaml, Map<String, String> env) throws IOException {
        return RouteConfig.compile(config(yaml, env), false);
    }

    @Test
    void theYamlExampleReadsAsWritten() throws Exception {
        OutriggerConfig c = config(true, Map.of());
        assertEquals(5, c.routes().size());
        RouteGroup products = c.routes().get(0);
        assertEquals("products", products.name());
        assertEquals(List.of("GET", "HEAD"), products.match().methods().orElseThrow());
        assertEquals("fallback", products.ttlMode());
        assertEquals(Duration.ofMinutes(5), products.ttl().orElseThrow());
        assertEquals(Duration.ofHours(1), products.statusTtl().get("410"));
        assertEquals(List.of("utm_*", "fbclid", "gclid"), products.key().query().exclude().orElseThrow());
        assertEquals(List.of("currency"), products.key().cookies().orElseThrow());
        assertEquals("Authorization", c.routes().get(3).perUser().orElseThrow().header().orElseThrow());
        assertFalse(c.routes().get(4).lookup());
        assertFalse(c.routes().get(4).store());
        Routes routes = routes(true, Map.of());
        assertEquals(List.of("products", "product", "search", "account", "cart", "default"), routes.names());
        Route product = routes.match("GET", "shop.example", "/api/product/42", n -> List.of()).route();
        assertEquals(List.of("product:42"), product.route("/api/product/42", n -> List.of(), Map.of("id", "42")).tags());
    }

    @Test
    void envVarsOverrideAnyFieldOfAYamlRoute() throws Exception {
        OutriggerConfig c = config(true, Map.of("OUTRIGGER_ROUTES_0__TTL", "10m", "OUTRIGGER_ROUTES_4__LOOKUP", "true",
                "OUTRIGGER_ROUTES_0__KEY_QUERY_SORT", "false"));
        assertEquals(Duration.ofMinutes(10), c.routes().get(0).ttl().orElseThrow());
        assertFalse(c.routes().get(0).key().query().sort());
        assertTrue(c.routes().get(4).lookup());
        assertEquals("cart", c.routes().get(4).name(), "the rest of the route is the YAML's");
    }

    @Test
    void routesCanComeFromEnvVarsAlone() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("OUTRIGGER_ROUTES_0__NAME", "cart");
        env.put("OUTRIGGER_ROUTES_0__MATCH_PATH", "/api/cart/**");
        env.put("OUTRIGGER_ROUTES_0__LOOKUP", "false");
        env.put("OUTRIGGER_ROUTES_0__STORE", "false");
        env.put("OUTRIGGER_ROUTES_1__NAME", "catalogue");
        env.put("OUTRIGGER_ROUTES_1__MATCH_PATH", "/api/**");
        env.put("OUTRIGGER_ROUTES_1__TTL", "2m");
        env.put("OUTRIGGER_ROUTES_1__TTL_MODE", "override");
        env.put("OUTRIGGER_ROUTES_1__KEY_QUERY_EXCLUDE", "utm_*,fbclid");
        Routes routes = routes(false, env);
        assertEquals(List.of("cart", "catalogue", "default"), routes.names());
        Route catalogue = routes.match("GET", "shop.example", "/api/x", n -> List.of()).route();
        assertEquals("/api/x?a=1", catalogue.route("/api/x?utm_source=m&a=1&fbclid=2", n -> List.of(), Map.of()).target());
        assertFalse(routes.match("GET", "shop.example", "/api/cart/1", n -> List.of()).route().lookup());
    }

    @Test
    void noRoutesMeansRfc9111ForEveryRequest() throws Exception {
        assertTrue(routes(false, Map.of()).isEmpty());
    }

    @Test
    void aBadRuleStopsStartUpNamingTheRuleAndTheField() {
        var e = assertThrows(Routes.InvalidRule.class, () -> routes(true, Map.of("OUTRIGGER_ROUTES_2__TTL_MODE", "forever")));
        assertTrue(e.getMessage().startsWith("outrigger.routes[2] (search): ttl-mode: 'forever'"), e.getMessage());
    }

    @Test
    void perUserRoutesNeedASharedSecretWhenReplicasShareRedis() throws Exception {
        var e = assertThrows(Routes.InvalidRule.class, () -> RouteConfig.compile(config(true, Map.of()), true));
        assertTrue(e.getMessage().startsWith("outrigger.routes[3] (account): per-user: needs OUTRIGGER_KEY_SECRET"), e.getMessage());
        var shortSecret = assertThrows(IllegalArgumentException.class,
                () -> RouteConfig.compile(config(true, Map.of("OUTRIGGER_KEY_SECRET", "short")), true));
        assertTrue(shortSecret.getMessage().contains("at least 16"), shortSecret.getMessage());
        Routes ok = RouteConfig.compile(config(true, Map.of("OUTRIGGER_KEY_SECRET", "0123456789abcdef-shared")), true);
        assertEquals(6, ok.names().size());
    }
}
