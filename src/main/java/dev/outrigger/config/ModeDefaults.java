package dev.outrigger.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;

/**
 * {@code OUTRIGGER_MODE=injector} switches on Quarkus's own HTTP server, which serves the admission webhook:
 * in proxy mode it keeps no listener ({@code quarkus.http.host-enabled=false}), since the traffic port is
 * Outrigger's own server. An explicit {@code QUARKUS_HTTP_HOST_ENABLED} still wins in proxy mode only.
 */
@Priority(100)
public class ModeDefaults implements ConfigSourceInterceptor {

    static final String HOST_ENABLED = "quarkus.http.host-enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (HOST_ENABLED.equals(name)) {
            ConfigValue mode = context.proceed("outrigger.mode");
            if (mode != null && mode.getValue() != null && mode.getValue().trim().equalsIgnoreCase("injector")) {
                return ConfigValue.builder().withName(name).withValue("true").withConfigSourceName("outrigger mode")
                        .withConfigSourceOrdinal(Integer.MAX_VALUE).build();
            }
        }
        return context.proceed(name);
    }
}
