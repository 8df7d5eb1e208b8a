package dev.outrigger.config;

import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

/** {@code outrigger.inject}: what the injector adds to pods (a group of {@link OutriggerConfig}, in a file of its own). */
public interface InjectGroup {
    /** The sidecar's image, {@code repository:tag} (or {@code @digest}). */
    @WithDefault("outrigger:0.1.0-jvm")
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /**
     * A native sidecar (an init container with {@code restartPolicy: Always}, Kubernetes 1.29+: it starts
     * before the application and stops after it); false: a plain container, for older clusters.
     */
    @WithDefault("true")
    boolean nativeSidecar();

    /** The sidecar's traffic port. */
    @WithDefault("8480")
    int trafficPort();

    /** The sidecar's management port (health, metrics, admin). */
    @WithDefault("9480")
    int managementPort();

    /**
     * The name of the application's container port that Services target: the sidecar takes the name, the
     * application's port is renamed with {@link #appPortSuffix()} (pod annotation {@code outrigger.dev/port-name}).
     */
    @WithDefault("http")
    String portName();

    @WithDefault("-app")
    String appPortSuffix();

    /** Used when the pod names no port (annotation {@code outrigger.dev/upstream-port}) and has none to take over. */
    @WithDefault("8080")
    int defaultUpstreamPort();

    @WithDefault("50m")
    String cpuRequest();

    Optional<String> cpuLimit();

    @WithDefault("128Mi")
    String memoryRequest();

    @WithDefault("256Mi")
    String memoryLimit();

    /** The user the sidecar runs as; unset: the image's own (non-root in every Outrigger image). */
    Optional<Long> runAsUser();

    /** Secret (name, key) holding {@code QUARKUS_REDIS_HOSTS}, e.g. {@code redis://:password@redis:6379}. */
    Optional<SecretRef> redisSecret();

    /** Secret (name, key) holding {@code OUTRIGGER_ADMIN_TOKEN}. */
    Optional<SecretRef> adminTokenSecret();

    /** Secret (name, key) holding {@code OUTRIGGER_KEY_SECRET} (per-user routes with Redis). */
    Optional<SecretRef> keySecret();

    /** More environment for the sidecar ({@code OUTRIGGER_*}, {@code QUARKUS_*}), as plain values. */
    Map<String, String> env();

    /** Seconds the pod is given to stop: the sidecar's drain fits inside it. */
    @WithDefault("30")
    int terminationGracePeriodSeconds();

    interface SecretRef {
        String name();

        String key();
    }
}
