package dev.outrigger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.cache.Compression;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code outrigger.compress} as SmallRye Config reads it from env: the documented defaults, overrides, a refused level. */
class CompressConfigTest {

    static Compression compression(Map<String, String> env) throws Exception {
        return Producers.compression(RouteConfigTest.config((String) null, env).compress());
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() throws Exception {
        assertEquals(Compression.DEFAULT, compression(Map.of()));
    }

    @Test
    void envOverridesAndABadLevelStopsStartUp() throws Exception {
        Compression c = compression(Map.of("OUTRIGGER_COMPRESS_TYPES", "application/json", "OUTRIGGER_COMPRESS_MIN_SIZE", "4K",
                "OUTRIGGER_COMPRESS_ENABLED", "false"));
        assertEquals(new Compression(false, List.of("application/json"), 4096, 16L << 20, 6), c);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> compression(Map.of("OUTRIGGER_COMPRESS_LEVEL", "10")));
        assertTrue(e.getMessage().startsWith("outrigger.compress: compress level: 1 to 9"), e.getMessage());
    }
}
