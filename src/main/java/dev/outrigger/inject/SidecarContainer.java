package dev.outrigger.inject;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Outrigger container as the injector adds it: probes on the management port, bounded resources, a locked
 * down security context (non-root, read-only root filesystem with a writable {@code /tmp}, no capabilities,
 * the runtime's seccomp profile), Redis URL and tokens from Secrets only.
 */
final class SidecarContainer {

    /**
     * Environment the injector sets itself, or only ever from Secrets: annotations and plain settings cannot set
     * it (a literal Redis URL or token in a pod spec is what the Secret references are there to prevent).
     */
    static final Set<String> RESERVED = Set.of("OUTRIGGER_UPSTREAM_URL", "QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_PORT",
            "QUARKUS_CONFIG_LOCATIONS", "OUTRIGGER_SHUTDOWN_GRACE", "OUTRIGGER_SHUTDOWN_DELAY", "QUARKUS_REDIS_HOSTS",
            "OUTRIGGER_ADMIN_TOKEN", "OUTRIGGER_KEY_SECRET");

    private final InjectorSettings settings;

    SidecarContainer(InjectorSettings settings) {
        this.settings = settings;
    }

    /**
     * @param upstreamPort the application's port on the pod's loopback
     * @param trafficPortName the name the traffic port takes (the one Services target, when taken over)
     * @param rules a ConfigMap of route rules to mount, and its key
     * @param envOverrides more OUTRIGGER_ and QUARKUS_ settings from the pod's annotations (name, value)
     * @param nativeSidecar an init container that restarts (Kubernetes' native sidecar)
     */
    ObjectNode build(int upstreamPort, String trafficPortName, Optional<String> rules, String rulesKey,
                     List<String[]> envOverrides, boolean nativeSidecar) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("name", PodInjector.CONTAINER);
        c.put("image", settings.image());
        c.put("imagePullPolicy", settings.imagePullPolicy());
        if (nativeSidecar) {
            c.put("restartPolicy", "Always");
        }
        ArrayNode ports = c.putArray("ports");
        ports.addObject().put("name", trafficPortName).put("containerPort", settings.trafficPort()).put("protocol", "TCP");
        ports.addObject().put("name", PodInjector.ADMIN_PORT).put("containerPort", settings.managementPort()).put("protocol", "TCP");

        ArrayNode env = c.putArray("env");
        plain(env, "OUTRIGGER_UPSTREAM_URL", "http://127.0.0.1:" + upstreamPort);
        plain(env, "QUARKUS_HTTP_PORT", Integer.toString(settings.trafficPort()));
        plain(env, "QUARKUS_MANAGEMENT_PORT", Integer.toString(settings.managementPort()));
        // the drain (5 s delay, then the grace) ends 2 s before the kubelet's SIGKILL
        plain(env, "OUTRIGGER_SHUTDOWN_GRACE", Math.max(1, settings.terminationGracePeriodSeconds() - 7) + "s");
        rules.ifPresent(name -> plain(env, "QUARKUS_CONFIG_LOCATIONS", PodInjector.RULES_DIR + "/" + rulesKey));
        for (Map.Entry<String, InjectorSettings.SecretRef> s : new TreeMap<>(settings.secrets()).entrySet()) {
            env.addObject().put("name", s.getKey()).putObject("valueFrom").putObject("secretKeyRef")
                    .put("name", s.getValue().name()).put("key", s.getValue().key());
        }
        Map<String, String> plainEnv = new TreeMap<>(settings.env());
        for (String[] e : envOverrides) {
            plainEnv.put(e[0], e[1]); // the pod's annotation wins over the injector's default
        }
        plainEnv.forEach((name, value) -> {
            if (!RESERVED.contains(name) && !settings.secrets().containsKey(name)) {
                plain(env, name, value);
            }
        });

        ObjectNode resources = c.putObject("resources");
        ObjectNode requests = resources.putObject("requests");
        requests.put("cpu", settings.resources().cpuRequest());
        requests.put("memory", settings.resources().memoryRequest());
        ObjectNode limits = resources.putObject("limits");
        settings.resources().cpuLimit().ifPresent(cpu -> limits.put("cpu", cpu));
        limits.put("memory", settings.resources().memoryLimit());

        ObjectNode security = c.putObject("securityContext");
        security.put("runAsNonRoot", true);
        settings.runAsUser().ifPresent(uid -> security.put("runAsUser", uid));
        security.put("allowPrivilegeEscalation", false);
        security.put("readOnlyRootFilesystem", true);
        security.putObject("capabilities").putArray("drop").add("ALL");
        security.putObject("seccompProfile").put("type", "RuntimeDefault");

        // started: the management port answers (the application is not up yet when a native sidecar starts)
        probe(c, "startupProbe", "/q/health/started", 1, 60);
        probe(c, "livenessProbe", "/q/health/live", 10, 3);
        probe(c, "readinessProbe", "/q/health/ready", 5, 2);

        ArrayNode mounts = c.putArray("volumeMounts");
        mounts.addObject().put("name", PodInjector.TMP_VOLUME).put("mountPath", "/tmp");
        rules.ifPresent(name -> mounts.addObject().put("name", PodInjector.RULES_VOLUME).put("mountPath", PodInjector.RULES_DIR)
                .put("readOnly", true));
        return c;
    }

    private static void plain(ArrayNode env, String name, String value) {
        env.addObject().put("name", name).put("value", value);
    }

    private static void probe(ObjectNode c, String field, String path, int period, int failures) {
        ObjectNode probe = c.putObject(field);
        probe.putObject("httpGet").put("path", path).put("port", PodInjector.ADMIN_PORT);
        probe.put("periodSeconds", period);
        probe.put("failureThreshold", failures);
        probe.put("timeoutSeconds", 2);
    }
}
