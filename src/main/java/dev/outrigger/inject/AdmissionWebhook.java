package dev.outrigger.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The mutating admission webhook (injector mode): answers an {@code AdmissionReview} v1 for a pod with a JSON
 * Patch that adds the sidecar. {@code POST /inject} is called for namespaces labelled
 * {@code outrigger.dev/inject=enabled} (every pod but those annotated {@code "false"}); {@code POST /inject/annotated}
 * for the others (only pods annotated {@code outrigger.dev/inject: "true"}). It never denies a pod: a pod it
 * cannot or should not change is allowed as it came, with a warning when its owner asked for the sidecar.
 */
@Path("/inject")
public class AdmissionWebhook {

    private static final Logger LOG = Logger.getLogger(AdmissionWebhook.class);

    private final PodInjector injector;
    private final Map<String, Counter> reviews;

    AdmissionWebhook(InjectorSettings settings, MeterRegistry registry) {
        this.injector = new PodInjector(settings);
        this.reviews = Map.of(
                "injected", counter(registry, "injected"),
                "skipped", counter(registry, "skipped"),
                "invalid", counter(registry, "invalid"));
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("outrigger.inject.reviews").tag("result", result)
                .description("Admission reviews answered by the injector, by what became of the pod").register(registry);
    }

    // Pure computation on a small document (well under a millisecond): fine on the event loop.
    @POST
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response namespaced(JsonNode review) {
        return review(review, PodInjector.Selection.NAMESPACE);
    }

    @POST
    @Path("/annotated")
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response annotated(JsonNode review) {
        return review(review, PodInjector.Selection.ANNOTATED);
    }

    private Response review(JsonNode review, PodInjector.Selection selection) {
        JsonNode request = review == null ? null : review.get("request");
        if (request == null || !request.path("uid").isTextual() || request.path("uid").asText().isEmpty()) {
            reviews.get("invalid").increment();
            return Response.status(400).type(MediaType.TEXT_PLAIN)
                    .entity("an AdmissionReview with request.uid is expected\n").build();
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
        answer.put("kind", "AdmissionReview");
        ObjectNode response = answer.putObject("response");
        response.put("uid", request.path("uid").asText());
        response.put("allowed", true);

        String kind = request.path("kind").path("kind").asText("");
        String operation = request.path("operation").asText("");
        if (!kind.equals("Pod") || !operation.equals("CREATE")) {
            reviews.get("skipped").increment();
            return Response.ok(answer).build();
        }
        JsonNode pod = request.get("object");
        String name = podName(pod, request);
        switch (injector.inject(pod, selection)) {
            case PodInjector.Skipped s -> {
                reviews.get("skipped").increment();
                LOG.debugf("pod %s: not injected: %s", name, printable(s.reason()));
                if (pod != null && "true".equalsIgnoreCase(pod.path("metadata").path("annotations").path(PodInjector.INJECT).asText(""))
                        && !s.reason().startsWith("already")) {
                    response.putArray("warnings").add("outrigger: not injected: " + s.reason());
                }
            }
            case PodInjector.Injected i -> {
                JsonNode patch = JsonDiff.asJson(pod, i.pod(), EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE,
                        DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION));
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
                if (!i.warnings().isEmpty()) {
                    var warnings = response.putArray("warnings");
                    i.warnings().forEach(w -> warnings.add("outrigger: " + w));
                }
                reviews.get("injected").increment();
                LOG.infof("pod %s: sidecar injected%s", name, i.warnings().isEmpty() ? "" : " (" + printable(String.join("; ", i.warnings())) + ")");
            }
        }
        return Response.ok(answer).build();
    }

    /** Names and annotations are not validated yet when a mutating webhook sees them: only printable ASCII is logged. */
    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** namespace/name, or the generateName a Deployment's pods are created with. */
    private static String podName(JsonNode pod, JsonNode request) {
        JsonNode meta = pod == null ? JsonNodeFactory.instance.objectNode() : pod.path("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            name = meta.path("generateName").asText("?") + "*";
        }
        return printable(request.path("namespace").asText(meta.path("namespace").asText("?")) + "/" + name);
    }
}
