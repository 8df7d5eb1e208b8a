package dev.outrigger.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * {@code @QuarkusTestResource(OriginResource.class)}: a real {@link OriginServer} the application under
 * test forwards to, wired in through {@code outrigger.upstream.url}.
 */
public class OriginResource implements QuarkusTestResourceLifecycleManager {

    private static volatile OriginServer origin;

    @Override
    public Map<String, String> start() {
        origin = OriginServer.start();
        return Map.of("outrigger.upstream.url", origin.url());
    }

    @Override
    public void stop() {
        if (origin != null) {
            origin.close();
            origin = null;
        }
    }

    public static OriginServer origin() {
        return origin;
    }
}
