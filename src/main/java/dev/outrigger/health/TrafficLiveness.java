package dev.outrigger.health;

import dev.outrigger.proxy.TrafficServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Alive while the traffic port is listening. */
@Liveness
@ApplicationScoped
class TrafficLiveness implements HealthCheck {

    private final TrafficServer traffic;

    TrafficLiveness(TrafficServer traffic) {
        this.traffic = traffic;
    }

    @Override
    public HealthCheckResponse call() {
        if (!traffic.enabled()) {
            return HealthCheckResponse.named("traffic").up().withData("mode", "injector").build();
        }
        return HealthCheckResponse.named("traffic").status(traffic.listening()).withData("port", traffic.port()).build();
    }
}
