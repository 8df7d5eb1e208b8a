package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.session.SessionSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Session settings as SmallRye Config reads them from YAML and env, and the settings refused at start. */
class SessionConfigTest {

    static OutriggerConfig config(boolean yaml, Map<String, String> env) throws IOException {
        return RouteConfigTest.config(yaml ? "/sessions/introspection.yaml" : null, env);
    }

    @Test
    void theYamlReadsAsWrittenAndEnvOverridesIt() throws Exception {
        SessionSettings s = SessionConfig.settings(config(true, Map.of("OUTRIGGER_SESSION_NEGATIVE_TTL", "30s")).session());
        assertTrue(s.enabled());
        assertEquals(SessionSettings.Auth.REQUIRED, s.auth());
        assertEquals(Map.of("X-User-Id", "sub", "X-Tenant", "tenant"), s.forwardHeaders(), "header names keep their spelling");
        assertEquals(URI.create("http://auth.shop.svc:8080/oauth2/introspect"), s.introspection().orElseThrow().url());
        assertEquals(Optional.of("session"), s.introspection().orElseThrow().member());
        assertEquals(Duration.ofMinutes(2), s.ttl());
        assertEquals(Duration.ofSeconds(30), s.negativeTtl());
        assertEquals(Optional.of("optional"), config(true, Map.of()).routes().get(0).auth());
    }

    @Test
    void envAloneSwitchesSessionsOn() throws Exception {
        SessionSettings s = SessionConfig.settings(config(false, Map.of(
                "OUTRIGGER_SESSION_ENABLED", "true",
                "OUTRIGGER_SESSION_INTROSPECTION_URL", "https://idp.example/introspect",
                "OUTRIGGER_SESSION_INTROSPECTION_METHOD", "get",
                "OUTRIGGER_SESSION_AUTH", "optional")).session());
        assertEquals(SessionSettings.Auth.OPTIONAL, s.auth());
        assertTrue(s.introspection().orElseThrow().forwardAuthorization());
        assertEquals("X-Session", s.header());
    }

    @Test
    void theJwtResolverFromEnv() throws Exception {
        SessionSettings s = SessionConfig.settings(config(false, Map.of(
                "OUTRIGGER_SESSION_ENABLED", "true",
                "OUTRIGGER_SESSION_RESOLVER", "jwt",
                "OUTRIGGER_SESSION_JWT_JWKS_URL", "http://auth.shop.svc:8080/.well-known/jwks.json",
                "OUTRIGGER_SESSION_JWT_ISSUER", "https://auth.shop",
                "OUTRIGGER_SESSION_JWT_AUDIENCE", "shop")).session());
        SessionSettings.Jwt jwt = s.jwt().orElseThrow();
        assertEquals(Optional.of("https://auth.shop"), jwt.issuer());
        assertEquals(Duration.ofSeconds(30), jwt.leeway());
        assertTrue(s.introspection().isEmpty());
    }

    @Test
    void whatCannotWorkStopsStartUpNamingTheSetting() {
        assertEquals("outrigger.session.introspection.url: required with the introspection resolver",
                assertThrows(ConfigurationException.class, () -> SessionConfig.settings(
                        config(false, Map.of("OUTRIGGER_SESSION_ENABLED", "true")).session())).getMessage());
        assertEquals("outrigger.session.jwt: give either jwt.jwks-url or jwt.public-key",
                assertThrows(ConfigurationException.class, () -> SessionConfig.settings(config(false, Map.of(
                        "OUTRIGGER_SESSION_ENABLED", "true", "OUTRIGGER_SESSION_RESOLVER", "jwt")).session())).getMessage());
        assertTrue(assertThrows(ConfigurationException.class, () -> SessionConfig.settings(config(false, Map.of(
                "OUTRIGGER_SESSION_ENABLED", "true", "OUTRIGGER_SESSION_RESOLVER", "jwt",
                "OUTRIGGER_SESSION_JWT_PUBLIC_KEY", "not a key")).session())).getMessage().startsWith("outrigger.session.jwt.public-key:"));
        assertTrue(assertThrows(ConfigurationException.class, () -> SessionConfig.settings(config(false, Map.of(
                "OUTRIGGER_SESSION_ENABLED", "true", "OUTRIGGER_SESSION_RESOLVER", "saml")).session())).getMessage()
                .startsWith("outrigger.session.resolver: 'saml'"));
        assertTrue(assertThrows(ConfigurationException.class, () -> SessionConfig.settings(config(false, Map.of(
                "OUTRIGGER_SESSION_AUTH", "sometimes")).session())).getMessage().startsWith("outrigger.session.auth:"));
    }
}
