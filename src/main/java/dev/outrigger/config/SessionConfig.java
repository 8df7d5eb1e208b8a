package dev.outrigger.config;

import dev.outrigger.session.SessionSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Turns {@code outrigger.session} into settings; what does not hold stops start-up with one line naming the setting. */
final class SessionConfig {

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Names whose every spelling would be stripped from requests: framing, routing and credentials. */
    private static final Set<String> PROTECTED = Set.of("authorization", "cookie", "host", "content-length", "transfer-encoding",
            "connection", "upgrade", "te", "trailer", "x-request-id", "proxy-authorization");

    private SessionConfig() {}

    static SessionSettings settings(SessionGroup s) {
        SessionSettings.Auth auth = switch (s.auth().trim().toLowerCase(Locale.ROOT)) {
            case "required" -> SessionSettings.Auth.REQUIRED;
            case "optional" -> SessionSettings.Auth.OPTIONAL;
            case "none" -> SessionSettings.Auth.NONE;
            default -> throw refuse("auth", "'" + s.auth() + "': use required, optional or none");
        };
        Optional<SessionSettings.Introspection> introspection = Optional.empty();
        Optional<SessionSettings.Jwt> jwt = Optional.empty();
        String resolver = s.resolver().trim().toLowerCase(Locale.ROOT);
        if (s.enabled() && resolver.equals("jwt")) {
            var j = s.jwt();
            if (j.jwksUrl().isPresent() == j.publicKey().isPresent()) {
                throw refuse("jwt", "give either jwt.jwks-url or jwt.public-key");
            }
            j.jwksUrl().ifPresent(u -> {
                String scheme = String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw refuse("jwt.jwks-url", "an http or https URL, got " + u);
                }
            });
            if (j.publicKey().isPresent()) {
                try {
                    dev.outrigger.session.SessionSettings.Jwt.checkPublicKey(j.publicKey().get());
                } catch (IllegalArgumentException e) {
                    throw refuse("jwt.public-key", e.getMessage());
                }
            }
            jwt = Optional.of(new SessionSettings.Jwt(j.jwksUrl(), j.publicKey(), j.issuer(), j.audience(), j.leeway(), j.jwksRefresh()));
        } else if (s.enabled()) {
            if (!resolver.equals("introspection")) {
                throw refuse("resolver", "'" + s.resolver() + "': use introspection or jwt");
            }
            var i = s.introspection();
            if (i.url().isEmpty()) {
                throw refuse("introspection.url", "required with the introspection resolver");
            }
            String scheme = String.valueOf(i.url().get().getScheme()).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw refuse("introspection.url", "an http or https URL, got " + i.url().get());
            }
            String method = i.method().trim().toLowerCase(Locale.ROOT);
            if (!method.equals("post") && !method.equals("get")) {
                throw refuse("introspection.method", "'" + i.method() + "': use post (RFC 7662) or get");
            }
            introspection = Optional.of(new SessionSettings.Introspection(i.url().get(), method.equals("get"), i.member(),
                    i.authorization(), i.timeout()));
        }
        if (s.ttl().isNegative() || s.ttl().isZero()) {
            throw refuse("ttl", "must be positive");
        }
        if (s.negativeTtl().compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw refuse("negative-ttl", "at least 1s (a rejected token must be remembered long enough for its waiters to read it)");
        }
        if (s.introspection().timeout().isNegative() || s.introspection().timeout().isZero()) {
            throw refuse("introspection.timeout", "must be positive");
        }
        if (s.jwt().leeway().isNegative()) {
            throw refuse("jwt.leeway", "must not be negative");
        }
        if (s.jwt().jwksRefresh().compareTo(java.time.Duration.ofSeconds(10)) < 0) {
            throw refuse("jwt.jwks-refresh", "at least 10s");
        }
        java.util.List<String> names = new java.util.ArrayList<>(s.forwardHeaders().keySet());
        names.add(s.header());
        for (String name : names) {
            String n = name.trim();
            if (!TOKEN.matcher(n).matches()) {
                throw refuse("forward-headers", "'" + name + "' is not a header name");
            }
            String lower = n.toLowerCase(Locale.ROOT).replace('_', '-');
            if (PROTECTED.contains(lower) || lower.equals(s.tokenHeader().trim().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                throw refuse("forward-headers", n + " is a header the proxy or the token needs: it would be stripped from requests");
            }
        }
        if (s.tokenHeader().isBlank()) {
            throw refuse("token-header", "must name a header");
        }
        return new SessionSettings(s.enabled(), auth, s.tokenHeader().trim(), s.tokenCookie().map(String::trim), introspection, jwt,
                s.header().trim(), s.forwardHeaders(), s.ttl(), s.negativeTtl(),
                java.util.Set.copyOf(s.logoutPaths().orElse(java.util.List.of()).stream().map(String::trim).toList()));
    }

    private static ConfigurationException refuse(String field, String problem) {
        return new ConfigurationException("outrigger.session." + field + ": " + problem, Set.of("outrigger.session." + field));
    }
}
