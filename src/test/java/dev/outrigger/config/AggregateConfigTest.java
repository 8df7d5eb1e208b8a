package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.aggregate.Aggregate;
import dev.outrigger.aggregate.Aggregates;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The aggregates as SmallRye Config reads them: the YAML ({@code src/test/resources/aggregates}), env
 * overrides, the session header standing for the token, and a bad aggregate refused with its name and field.
 */
class AggregateConfigTest {

    static OutriggerConfig config(Map<String, String> env) throws Exception {
        return RouteConfigTest.config("/aggregates/profile.yaml", env);
    }

    @Test
    void theYamlExampleReadsAsWritten() throws Exception {
        Aggregates aggregates = AggregateConfig.aggregates(config(Map.of()));
        Aggregate profile = aggregates.all().get(0);
        assertEquals("profile", profile.name());
        assertEquals(Duration.ofMillis(800), profile.timeout());
        assertEquals(502, profile.failureStatus());
        assertEquals(List.of("Authorization", "Accept-Language"), profile.headers());
        assertEquals(1L << 20, profile.maxPartSize());
        // by name: a configuration map keeps no order
        assertEquals(List.of("orders", "recs", "user"), profile.parts().stream().map(Aggregate.Part::name).toList());
        Aggregate.Part orders = profile.parts().get(0);
        assertEquals(Optional.of("orders.shop.svc:8080"), orders.originAuthority());
        assertEquals(Duration.ofMillis(300), orders.timeout());
        assertEquals(Optional.of(Duration.ofSeconds(60)), orders.ttl());
        Aggregate.Part user = profile.parts().get(2);
        assertTrue(user.required());
        assertEquals(Duration.ofMillis(800), user.timeout(), "a part waits the aggregate's timeout unless it has its own");
        assertTrue(aggregates.match("/bff/users/7/profile").isPresent());
    }

    @Test
    void envOverridesAField() throws Exception {
        Aggregate profile = AggregateConfig.aggregates(config(Map.of("OUTRIGGER_AGGREGATES_0__TIMEOUT", "2s",
                "OUTRIGGER_AGGREGATES_0__FAILURE_STATUS", "503"))).all().get(0);
        assertEquals(Duration.ofSeconds(2), profile.timeout());
        assertEquals(503, profile.failureStatus());
    }

    @Test
    void theSessionHeaderForwardsTheToken() throws Exception {
        Map<String, String> env = Map.of("OUTRIGGER_SESSION_ENABLED", "true",
                "OUTRIGGER_SESSION_INTROSPECTION_URL", "http://auth.svc/introspect",
                "OUTRIGGER_AGGREGATES_0__HEADERS", "X-Session,Accept-Language");
        assertEquals(List.of("Authorization", "Accept-Language"), AggregateConfig.aggregates(config(env)).all().get(0).headers());
        Map<String, String> cookie = new java.util.HashMap<>(env);
        cookie.put("OUTRIGGER_SESSION_TOKEN_COOKIE", "sid");
        Aggregate withCookie = AggregateConfig.aggregates(config(cookie)).all().get(0);
        assertEquals(List.of("Accept-Language"), withCookie.headers());
        assertEquals(List.of("sid"), withCookie.cookies(), "the token cookie alone, not every cookie");
        ConfigurationException off = assertThrows(ConfigurationException.class, () -> AggregateConfig.aggregates(
                config(Map.of("OUTRIGGER_AGGREGATES_0__HEADERS", "X-Session"))));
        assertTrue(off.getMessage().contains("X-Session needs sessions on"), off.getMessage());
    }

    @Test
    void aBadAggregateStopsStartUpNamingItsField() throws Exception {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> AggregateConfig.aggregates(
                config(Map.of("OUTRIGGER_AGGREGATES_0__TIMEOUT", "100ms"))));
        assertEquals("outrigger.aggregates[0] (profile): parts.orders.timeout: between 1ms and the aggregate's timeout (100ms): "
                + "the aggregate stops waiting first", e.getMessage());
    }
}
