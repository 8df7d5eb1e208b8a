package dev.outrigger.inject;

import java.util.Map;
import java.util.Optional;

/**
 * What the injector adds to a pod, as plain values (from {@code outrigger.inject.*}).
 *
 * @param image the sidecar's image reference
 * @param imagePullPolicy Always, IfNotPresent or Never
 * @param nativeSidecar an init container with {@code restartPolicy: Always} (Kubernetes 1.29+), else a plain container
 * @param trafficPort the sidecar's traffic port
 * @param managementPort the sidecar's management port
 * @param portName the container port name Services target, which the sidecar takes over
 * @param appPortSuffix appended to the application's port name when the sidecar takes it over
 * @param defaultUpstreamPort the application's port when the pod names none
 * @param resources requests and limits ({@code cpu-request}, {@code cpu-limit}, {@code memory-request}, {@code memory-limit})
 * @param runAsUser the user the sidecar runs as; empty: the image's (non-root)
 * @param secrets env var name → (Secret name, key): values never written into the pod spec
 * @param env more plain environment for the sidecar
 * @param terminationGracePeriodSeconds the pod's grace, which the sidecar's drain must fit in
 */
public record InjectorSettings(String image, String imagePullPolicy, boolean nativeSidecar, int trafficPort, int managementPort,
                               String portName, String appPortSuffix, int defaultUpstreamPort, Resources resources,
                               Optional<Long> runAsUser,
                               Map<String, SecretRef> secrets, Map<String, String> env, int terminationGracePeriodSeconds) {

    public InjectorSettings {
        secrets = Map.copyOf(secrets);
        env = Map.copyOf(env);
    }

    /** A key of a Secret in the pod's namespace. */
    public record SecretRef(String name, String key) {}

    public record Resources(String cpuRequest, Optional<String> cpuLimit, String memoryRequest, String memoryLimit) {}
}
