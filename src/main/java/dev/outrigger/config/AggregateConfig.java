package dev.outrigger.config;

import dev.outrigger.aggregate.AggregateSpec;
import dev.outrigger.aggregate.Aggregates;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns {@code outrigger.aggregates} into compiled {@link Aggregates}; one that does not hold stops start-up, naming itself and the field. */
final class AggregateConfig {

    private AggregateConfig() {}

    static Aggregates aggregates(OutriggerConfig config) {
        try {
            return Aggregates.compile(specs(config));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), Set.of("outrigger.aggregates"));
        }
    }

    static List<AggregateSpec> specs(OutriggerConfig config) {
        List<AggregateSpec> specs = new ArrayList<>();
        for (AggregateGroup a : config.aggregates()) {
            List<AggregateSpec.Part> parts = new ArrayList<>();
            // by name: a configuration map keeps no order, and the response is a JSON object
            a.parts().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(p -> parts.add(
                    new AggregateSpec.Part(p.getKey(), p.getValue().url(), p.getValue().required(), p.getValue().ttl(),
                            p.getValue().timeout())));
            List<String> cookies = new ArrayList<>(a.cookies().orElse(List.of()));
            specs.add(new AggregateSpec(a.name(), a.path(), a.timeout(), a.failureStatus(), headers(a, config.session(), cookies),
                    cookies, a.maxPartSize().asLongValue(), parts));
        }
        return specs;
    }

    /**
     * The headers as configured, the session header (sessions on) standing for the token it is made from (its header,
     * or its cookie, added to {@code cookies}): a part's session step resolves the token again (from its cache) and
     * attaches the session for the part's route.
     */
    private static List<String> headers(AggregateGroup a, SessionGroup session, List<String> cookies) {
        List<String> out = new ArrayList<>();
        for (String h : a.headers().orElse(List.of())) {
            if (session.enabled() && h.trim().equalsIgnoreCase(session.header())) {
                if (session.tokenCookie().isPresent()) {
                    cookies.add(session.tokenCookie().get());
                } else {
                    out.add(session.tokenHeader());
                }
            } else {
                out.add(h);
            }
        }
        return out;
    }
}
