package dev.outrigger.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a pod gets the sidecar and makes the pod it becomes: pure, no I/O (the webhook turns the
 * difference into a JSON Patch). The sidecar takes over the name of the application port Services target, so
 * traffic reaches it without editing the Service; the application's port and the probes naming it are renamed.
 */
final class PodInjector {

    static final String PREFIX = "outrigger.dev/";
    static final String INJECT = PREFIX + "inject";
    static final String INJECTED = PREFIX + "injected";
    static final String UPSTREAM_PORT = PREFIX + "upstream-port";
    static final String PORT_NAME = PREFIX + "port-name";
    static final String RULES_CONFIGMAP = PREFIX + "rules-configmap";
    static final String RULES_KEY = PREFIX + "rules-key";
    static final String NATIVE_SIDECAR = PREFIX + "native-sidecar";
    static final String ENV = PREFIX + "env.";
    static final String CONTAINER = "outrigger";
    static final String ADMIN_PORT = "outrigger-admin";
    static final String TMP_VOLUME = "outrigger-tmp";
    static final String RULES_VOLUME = "outrigger-rules";
    static final String RULES_DIR = "/etc/outrigger/rules";
    private static final Pattern PORT_NAME_SYNTAX = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("(OUTRIGGER|QUARKUS)_[A-Z0-9_]+");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    /** Which pods a webhook call may inject. */
    enum Selection {
        /** The namespace opted in: every pod but those annotated {@code outrigger.dev/inject: "false"}. */
        NAMESPACE,
        /** Only pods annotated {@code outrigger.dev/inject: "true"}. */
        ANNOTATED
    }

    /** What became of a pod. */
    sealed interface Outcome permits Injected, Skipped {}

    /** The pod with the sidecar, and what the pod's owner should know. */
    record Injected(ObjectNode pod, List<String> warnings) implements Outcome {}

    /** Left as it came, and why. */
    record Skipped(String reason) implements Outcome {}

    private final InjectorSettings settings;

    PodInjector(InjectorSettings settings) {
        this.settings = settings;
    }

    Outcome inject(JsonNode original, Selection selection) {
        if (!(original instanceof ObjectNode)) {
            return new Skipped("not a pod object");
        }
        ObjectNode pod = ((ObjectNode) original).deepCopy();
        ObjectNode annotations = object(object(pod, "metadata"), "annotations");
        String asked = text(annotations, INJECT).map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse("");
        if (asked.equals("false") || asked.equals("disabled")) {
            return new Skipped("opted out (" + INJECT + ": \"false\")");
        }
        if (selection == Selection.ANNOTATED && !(asked.equals("true") || asked.equals("enabled"))) {
            return new Skipped("not asked for (" + INJECT + " is not \"true\" and the namespace is not labelled)");
        }
        ObjectNode spec = object(pod, "spec");
        if (hasContainer(spec, "containers") || hasContainer(spec, "initContainers")) {
            return new Skipped("already has the sidecar");
        }
        if (spec.path("hostNetwork").asBoolean(false)) {
            return new Skipped("the pod uses the node's network: the sidecar's ports would be the node's");
        }
        JsonNode podUser = spec.path("securityContext").path("runAsUser");
        if (settings.runAsUser().isEmpty() && podUser.canConvertToLong() && podUser.asLong() == 0) {
            return new Skipped("the pod runs as root and the sidecar must not: set outrigger.inject.run-as-user (sidecar.runAsUser)");
        }
        ArrayNode containers = array(spec, "containers");
        if (containers.isEmpty()) {
            return new Skipped("the pod has no containers");
        }
        List<String> warnings = new ArrayList<>();
        String portName = text(annotations, PORT_NAME).map(String::trim).orElse(settings.portName());
        Upstream upstream = upstream(containers, annotations, portName, warnings);
        if (upstream.port == settings.trafficPort() || upstream.port == settings.managementPort()) {
            return new Skipped("the application's port " + upstream.port + " is one of the sidecar's (" + settings.trafficPort()
                    + ", " + settings.managementPort() + "): change outrigger.inject.traffic-port / management-port");
        }
        String sidecarPortName = CONTAINER;
        if (upstream.takeOver != null) {
            String renamed = portName + settings.appPortSuffix();
            if (renamed.length() > 15 || !PORT_NAME_SYNTAX.matcher(renamed).matches()) {
                warnings.add("port " + portName + " kept its name (" + renamed + " is not a valid port name): Services reach the "
                        + "application directly, not through Outrigger");
            } else {
                rename(upstream.container, portName, renamed);
                sidecarPortName = portName;
            }
        } else {
            warnings.add("no container port named " + portName + ": Services keep reaching the application directly; target "
                    + "the sidecar's port " + settings.trafficPort() + " (name " + CONTAINER + ") to go through Outrigger");
        }
        Optional<String> rules = text(annotations, RULES_CONFIGMAP).map(String::trim).filter(s -> !s.isEmpty());
        if (rules.isPresent() && !DNS_NAME.matcher(rules.get()).matches()) {
            return new Skipped(RULES_CONFIGMAP + " '" + rules.get() + "' is not a ConfigMap name");
        }
        boolean nativeSidecar = text(annotations, NATIVE_SIDECAR).map(v -> !v.trim().equalsIgnoreCase("false"))
                .orElse(settings.nativeSidecar());
        String restart = spec.path("restartPolicy").asText("Always");
        if (!nativeSidecar && !restart.equals("Always")) {
            return new Skipped("restartPolicy " + restart + " (a Job's pod): a plain sidecar container would keep it from "
                    + "completing; a native sidecar would not");
        }
        ObjectNode sidecar = new SidecarContainer(settings).build(upstream.port, sidecarPortName, rules,
                text(annotations, RULES_KEY).map(String::trim).orElse("routes.yaml"), envOverrides(annotations, warnings), nativeSidecar);
        if (nativeSidecar) {
            array(spec, "initContainers").insert(0, sidecar); // first: started before any other init container needs the network
        } else {
            containers.add(sidecar);
        }
        ArrayNode volumes = array(spec, "volumes");
        volumes.addObject().put("name", TMP_VOLUME).putObject("emptyDir").put("sizeLimit", "64Mi");
        rules.ifPresent(name -> volumes.addObject().put("name", RULES_VOLUME).putObject("configMap").put("name", name));
        JsonNode grace = spec.get("terminationGracePeriodSeconds");
        if (grace == null || !grace.canConvertToInt() || grace.asInt() < settings.terminationGracePeriodSeconds()) {
            spec.put("terminationGracePeriodSeconds", settings.terminationGracePeriodSeconds());
        }
        annotations.put(INJECTED, "true");
        object(object(pod, "metadata"), "labels").put(INJECTED, "true"); // what a PodMonitor selects
        return new Injected(pod, List.copyOf(warnings));
    }

    /** The application's port: the one it serves on, the container holding it, and whether the sidecar takes its name. */
    private record Upstream(int port, ObjectNode container, String takeOver) {}

    private Upstream upstream(ArrayNode containers, ObjectNode annotations, String portName, List<String> warnings) {
        Optional<String> named = text(annotations, UPSTREAM_PORT).map(String::trim).filter(s -> !s.isEmpty());
        if (named.isPresent()) {
            String value = named.get();
            if (value.chars().allMatch(Character::isDigit) && value.length() <= 5) {
                int port = Integer.parseInt(value);
                for (JsonNode c : containers) {
                    for (JsonNode p : c.path("ports")) {
                        if (p.path("containerPort").asInt() == port) {
                            boolean take = portName.equals(p.path("name").asText(null));
                            return new Upstream(port, (ObjectNode) c, take ? portName : null);
                        }
                    }
                }
                return new Upstream(port, null, null);
            }
            for (JsonNode c : containers) {
                for (JsonNode p : c.path("ports")) {
                    if (value.equals(p.path("name").asText(null))) {
                        return new Upstream(p.path("containerPort").asInt(), (ObjectNode) c, value.equals(portName) ? portName : null);
                    }
                }
            }
            warnings.add(UPSTREAM_PORT + " '" + value + "' names no container port: using " + settings.defaultUpstreamPort());
            return new Upstream(settings.defaultUpstreamPort(), null, null);
        }
        for (JsonNode c : containers) {
            for (JsonNode p : c.path("ports")) {
                if (portName.equals(p.path("name").asText(null))) {
                    return new Upstream(p.path("containerPort").asInt(), (ObjectNode) c, portName);
                }
            }
        }
        JsonNode first = containers.get(0).path("ports").path(0).path("containerPort");
        if (first.canConvertToInt() && first.asInt() > 0) {
            return new Upstream(first.asInt(), (ObjectNode) containers.get(0), null);
        }
        warnings.add("no container port declared: the application is taken to listen on " + settings.defaultUpstreamPort()
                + " (annotate " + UPSTREAM_PORT + ")");
        return new Upstream(settings.defaultUpstreamPort(), null, null);
    }

    /** Renames the container's port {@code from} and every probe and hook of the container that names it. */
    private static void rename(ObjectNode container, String from, String to) {
        for (JsonNode p : container.path("ports")) {
            if (from.equals(p.path("name").asText(null))) {
                ((ObjectNode) p).put("name", to);
            }
        }
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            renameHandler(container.path(probe), from, to);
        }
        JsonNode lifecycle = container.path("lifecycle");
        renameHandler(lifecycle.path("postStart"), from, to);
        renameHandler(lifecycle.path("preStop"), from, to);
    }

    private static void renameHandler(JsonNode handler, String from, String to) {
        for (String kind : List.of("httpGet", "tcpSocket")) {
            JsonNode action = handler.path(kind);
            if (action instanceof ObjectNode o && from.equals(o.path("port").asText(null)) && o.path("port").isTextual()) {
                o.put("port", to);
            }
        }
    }

    /** {@code outrigger.dev/env.NAME: value} for OUTRIGGER_* and QUARKUS_* names not taken from Secrets. */
    private List<String[]> envOverrides(ObjectNode annotations, List<String> warnings) {
        List<String[]> env = new ArrayList<>();
        annotations.fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith(ENV)) {
                return;
            }
            String name = e.getKey().substring(ENV.length());
            if (!ENV_NAME.matcher(name).matches() || SidecarContainer.RESERVED.contains(name)
                    || settings.secrets().containsKey(name)) {
                warnings.add("ignored " + e.getKey() + ": only OUTRIGGER_* and QUARKUS_* settings the injector does not set itself");
                return;
            }
            env.add(new String[] {name, e.getValue().asText()});
        });
        return env;
    }

    private static boolean hasContainer(ObjectNode spec, String field) {
        for (JsonNode c : spec.path(field)) {
            if (CONTAINER.equals(c.path("name").asText(null))) {
                return true;
            }
        }
        return false;
    }

    static Optional<String> text(ObjectNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? Optional.empty() : Optional.of(v.asText());
    }

    /** The object at {@code field}, made when absent or null. */
    static ObjectNode object(ObjectNode node, String field) {
        JsonNode v = node.get(field);
        return v instanceof ObjectNode o ? o : node.putObject(field);
    }

    /** The array at {@code field}, made when absent or null. */
    static ArrayNode array(ObjectNode node, String field) {
        JsonNode v = node.get(field);
        return v instanceof ArrayNode a ? a : node.putArray(field);
    }
}
