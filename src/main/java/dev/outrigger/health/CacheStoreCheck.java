package dev.outrigger.health;

import dev.outrigger.store.StoreStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the cache store in the readiness data, always UP: with Redis failing the proxy serves from the
 * upstream (fail-open), so the pod stays in service and the data says "degraded".
 */
@Readiness
@ApplicationScoped
class CacheStoreCheck implements HealthCheck {

    private final StoreStatus status;

    CacheStoreCheck(StoreStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("cache-store").up().withData("layout", status.layout());
        status.circuit().get().ifPresent(state -> response.withData("redis", state.name().toLowerCase(Locale.ROOT)));
        status.redisMemory().get().ifPresent(limits -> response.withData("redis-memory", limits.describe()));
        return response.withData("degraded", status.degraded()).build();
    }
}
