package dev.outrigger.config;

import dev.outrigger.metrics.Meters;
import dev.outrigger.proxy.ProxySettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Turns the config tree into the plain values the rest of the code is built from. */
@Singleton
class Producers {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    Meters meters(MeterRegistry registry) {
        return new Meters(registry);
    }

    @Produces
    @Singleton
    ProxySettings proxySettings(
            OutriggerConfig config,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8480") int port,
            @ConfigProperty(name = "quarkus.http.test-port", defaultValue = "0") int testPort) {
        var upstream = config.upstream();
        var limits = config.limits();
        return new ProxySettings(
                host,
                LaunchMode.current() == LaunchMode.TEST ? testPort : port,
                config.ioThreads().orElse(Runtime.getRuntime().availableProcessors()),
                upstream.url(),
                upstream.maxConnections(),
                upstream.maxWaitQueue(),
                upstream.connectTimeout(),
                upstream.responseTimeout(),
                upstream.keepAliveTimeout(),
                upstream.preserveHost(),
                config.forwarded().trustIncoming(),
                config.forwarded().via(),
                limits.maxRequestLine(),
                limits.maxHeaderSize(),
                limits.maxBodySize().asLongValue(),
                limits.clientIdleTimeout());
    }
}
