package dev.outrigger.config;

import dev.outrigger.rules.RouteSpec;
import dev.outrigger.rules.Routes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Turns {@code outrigger.routes} into compiled {@link Routes}; a rule that does not hold stops start-up, naming itself and the field. */
final class RouteConfig {

    private static final Logger LOG = Logger.getLogger(RouteConfig.class);
    static final int MIN_SECRET_LENGTH = 16;

    private RouteConfig() {}

    /**
     * The routes, or a {@link ConfigurationException} naming the rule and the field (Quarkus reports it on one
     * line, without a stack trace, and the process exits).
     */
    static Routes routes(OutriggerConfig config, boolean shared) {
        try {
            return compile(config, shared);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), Set.of("outrigger.routes"));
        }
    }

    /** {@code shared}: Redis is configured, so every replica must hash users alike. */
    static Routes compile(OutriggerConfig config, boolean shared) {
        List<RouteSpec> specs = config.routes().stream().map(RouteConfig::spec).toList();
        Optional<byte[]> secret = config.keySecret().map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        if (secret.isPresent() && secret.get().length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("outrigger.key-secret (OUTRIGGER_KEY_SECRET): at least " + MIN_SECRET_LENGTH
                    + " characters");
        }
        boolean perUser = specs.stream().anyMatch(r -> r.perUser().isPresent());
        if (perUser && secret.isEmpty() && !shared) {
            // with the in-memory store no key leaves this pod: a secret of its own keys them as well as a shared one
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            secret = Optional.of(random);
            LOG.info("per-user routes hash identities with a random key of this process (no OUTRIGGER_KEY_SECRET; "
                    + "set one when replicas share Redis)");
        }
        if (!config.session().enabled()) {
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).perUser().flatMap(RouteSpec.PerUser::session).isPresent()) {
                    throw new IllegalArgumentException("outrigger.routes[" + i + "] (" + specs.get(i).name()
                            + "): per-user.session: needs sessions on (OUTRIGGER_SESSION_ENABLED); without them nobody has a session");
                }
            }
        }
        Routes routes = Routes.compile(specs, secret);
        routes.warnings().forEach(LOG::warn);
        return routes;
    }

    private static RouteSpec spec(RouteGroup r) {
        var m = r.match();
        var k = r.key();
        var q = k.query();
        return new RouteSpec(r.name(),
                new RouteSpec.Match(m.path(), m.methods().orElse(List.of()), m.host(), m.headers()),
                r.ttl(), r.ttlMode(), r.statusTtl(), r.staleWhileRevalidate(), r.staleIfError(),
                new RouteSpec.Key(q.include().orElse(List.of()), q.exclude().orElse(List.of()), q.ignore(), q.sort(),
                        k.headers().orElse(List.of()), k.cookies().orElse(List.of())),
                r.perUser().map(u -> new RouteSpec.PerUser(u.header(), u.cookie(), u.session())),
                r.lookup(), r.store(), r.tags().orElse(List.of()), r.auth());
    }
}
