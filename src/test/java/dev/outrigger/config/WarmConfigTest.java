package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.outrigger.warm.WarmSettings;
import dev.outrigger.warm.WarmTarget;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code outrigger.warm} as SmallRye Config reads it from env: the list's two forms, the host, the defaults, refusals. */
class WarmConfigTest {

    static WarmSettings settings(Map<String, String> env, Optional<String> keyHost) throws Exception {
        return WarmConfig.settings(RouteConfigTest.config((String) null, env).warm(), keyHost);
    }

    @Test
    void offByDefault() throws Exception {
        WarmSettings s = settings(Map.of(), Optional.empty());
        assertFalse(s.enabled());
        assertEquals(Duration.ofMinutes(5), s.interval());
        assertEquals(Duration.ofMinutes(5), s.refreshWithin(), "nothing expires before the next round");
    }

    @Test
    void pathsTakeTheHostAndUrlsTheirOwn() throws Exception {
        WarmSettings s = WarmConfig.settings(RouteConfigTest.config("/warm/warm.yaml", Map.of()).warm(), Optional.empty());
        assertEquals(List.of(new WarmTarget("shop.example", "/api/products?page=1"), new WarmTarget("other.example:8080", "/x"),
                new WarmTarget("shop.example", "/api/home", Map.of("Accept-Language", "fr"))), s.targets());
        assertEquals(50, s.top());
        assertEquals(20, s.rate());
        assertEquals("shop.example", settings(Map.of("OUTRIGGER_WARM_ENABLED", "true", "OUTRIGGER_WARM_URLS", "/a"),
                Optional.of("shop.example")).targets().get(0).authority(), "the key host when no warm host");
    }

    @Test
    void aPathWithoutAHostIsRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> settings(Map.of("OUTRIGGER_WARM_ENABLED", "true",
                "OUTRIGGER_WARM_URLS", "/a"), Optional.empty()));
        assertEquals("outrigger.warm.urls[0]: '/a': a path needs a host to be asked for under: set outrigger.warm.host "
                + "(OUTRIGGER_WARM_HOST) or outrigger.cache.key-host, or give an http:// URL", e.getMessage());
        assertThrows(ConfigurationException.class, () -> settings(Map.of("OUTRIGGER_WARM_ENABLED", "true",
                "OUTRIGGER_WARM_INTERVAL", "100ms"), Optional.empty()));
    }
}
