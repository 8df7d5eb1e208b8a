package dev.outrigger.health;

import dev.outrigger.proxy.TrafficServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready once shutdown begins, so the pod leaves its Services' endpoints while it drains (liveness stays up). */
@Readiness
@ApplicationScoped
class DrainReadiness implements HealthCheck {

    private final TrafficServer traffic;

    DrainReadiness(TrafficServer traffic) {
        this.traffic = traffic;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!traffic.draining()).withData("draining", traffic.draining()).build();
    }
}
