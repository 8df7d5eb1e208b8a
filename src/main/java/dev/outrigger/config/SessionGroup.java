package dev.outrigger.config;

import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code outrigger.session}: auth-session caching (a group of {@link OutriggerConfig}, in a file of its own). */
public interface SessionGroup {
    /** Off unless configured. */
    @WithDefault("false")
    boolean enabled();

    /** {@code introspection} (RFC 7662) or {@code jwt} (verified locally). */
    @WithDefault("introspection")
    String resolver();

    /**
     * What a request must bring on routes that set no {@code auth}: {@code required} (401 without a valid token,
     * 503 when the resolver cannot say), {@code optional} (forwarded either way) or {@code none}.
     */
    @WithDefault("required")
    String auth();

    /** The header the token comes in; {@code Authorization} means its {@code Bearer} credentials. */
    @WithDefault("Authorization")
    String tokenHeader();

    /** A cookie the token comes in instead of the header. */
    Optional<String> tokenCookie();

    /** The header the application gets the session in, as compact JSON. Client-sent ones are always removed. */
    @WithDefault("X-Session")
    String header();

    /** More headers for the application, from top-level session fields: {@code X-User-Id: sub}. */
    Map<String, String> forwardHeaders();

    /** The longest a session is kept; shorter when the token expires sooner. */
    @WithDefault("5m")
    Duration ttl();

    /** How long a token the resolver rejected is remembered as invalid. */
    @WithDefault("10s")
    Duration negativeTtl();

    /** Request paths (exact) that end the caller's session: it is revoked on every replica as the request goes through. */
    Optional<List<String>> logoutPaths();

    Introspection introspection();

    Jwt jwt();

    interface Jwt {
        /** The JSON Web Key Set the signing keys come from (fetched, cached, refetched for an unknown key). */
        Optional<URI> jwksUrl();

        /** A PEM public key (RSA, EC or Ed25519) instead of a JWKS URL. */
        Optional<String> publicKey();

        /** The expected {@code iss}; unset: not checked. */
        Optional<String> issuer();

        /** The expected {@code aud}; unset: not checked. */
        Optional<String> audience();

        /** Clock skew allowed on {@code exp} and {@code nbf}. */
        @WithDefault("30s")
        Duration leeway();

        /** How long fetched keys are used before the set is fetched again. */
        @WithDefault("10m")
        Duration jwksRefresh();
    }

    interface Introspection {
        /** The RFC 7662 endpoint. */
        Optional<URI> url();

        /** {@code post}: RFC 7662 form with {@code token=}; {@code get}: a GET forwarding the client's Authorization. */
        @WithDefault("post")
        String method();

        /** The member of the answer that is the session; unset: the whole answer. */
        Optional<String> member();

        /** The Authorization this proxy presents to the endpoint (e.g. {@code Basic ...}), from a Secret. Never logged. */
        Optional<String> authorization();

        @WithDefault("2s")
        Duration timeout();
    }
}
