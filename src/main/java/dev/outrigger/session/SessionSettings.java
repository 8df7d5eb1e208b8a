package dev.outrigger.session;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Auth-session caching, as plain values (from {@code outrigger.session.*}).
 *
 * @param enabled off unless configured
 * @param auth what a request needs on routes that say nothing: {@code required}, {@code optional} or {@code none}
 * @param tokenHeader the header the token comes in ({@code Authorization}: its {@code Bearer} credentials)
 * @param tokenCookie a cookie the token comes in instead
 * @param introspection the introspection endpoint, when that is the resolver
 * @param jwt how tokens are verified locally, when JWT is the resolver
 * @param header the header the application gets the session in (compact JSON)
 * @param forwardHeaders more headers for the application: header name → session field (a top-level member)
 * @param ttl the longest a session is kept (shorter when the token expires sooner)
 * @param negativeTtl how long a token the resolver rejected is remembered as invalid
 * @param logoutPaths request paths that end the caller's session: it is revoked everywhere as the request goes through
 */
public record SessionSettings(boolean enabled, Auth auth, String tokenHeader, Optional<String> tokenCookie,
                              Optional<Introspection> introspection, Optional<Jwt> jwt, String header, Map<String, String> forwardHeaders,
                              Duration ttl, Duration negativeTtl, java.util.Set<String> logoutPaths) {

    public SessionSettings {
        forwardHeaders = Map.copyOf(forwardHeaders);
        logoutPaths = java.util.Set.copyOf(logoutPaths);
    }

    /** Sessions off; the header names are still stripped from what clients send. */
    public static final SessionSettings OFF = new SessionSettings(false, Auth.NONE, "Authorization", Optional.empty(),
            Optional.empty(), Optional.empty(), "X-Session", Map.of(), Duration.ofMinutes(5), Duration.ofSeconds(10), java.util.Set.of());

    /** What a request must bring. */
    public enum Auth {
        /** No valid token: 401 (503 when the resolver cannot say); nothing reaches the application unauthenticated. */
        REQUIRED,
        /** Forwarded either way; with the session when the token resolves. */
        OPTIONAL,
        /** Not looked at. */
        NONE
    }

    /**
     * Local verification of JWTs (RFC 7519): the signature by a key from a JWKS URL (fetched, cached, refetched when a
     * token names a key it does not hold) or a configured public key; {@code exp} required, {@code nbf}, {@code iss},
     * {@code aud} checked, with a small leeway.
     *
     * @param jwksUrl where the JSON Web Key Set is
     * @param publicKey a PEM public key instead
     * @param issuer the expected {@code iss}; empty: not checked
     * @param audience the expected {@code aud}; empty: not checked
     * @param leeway clock skew allowed on {@code exp} and {@code nbf}
     * @param jwksRefresh how long fetched keys are used before they are fetched again
     */
    public record Jwt(Optional<URI> jwksUrl, Optional<String> publicKey, Optional<String> issuer, Optional<String> audience,
                      Duration leeway, Duration jwksRefresh) {

        /** Refuses a public key that cannot be read (with a message that says what it must be). */
        public static void checkPublicKey(String pem) {
            JwtResolver.publicKey(pem);
        }
    }

    /**
     * An RFC 7662 introspection endpoint.
     *
     * @param url where it is
     * @param forwardAuthorization {@code GET} forwarding the client's {@code Authorization}; else RFC 7662 {@code POST token=}
     * @param member the member of the answer that is the session; empty: the whole answer
     * @param authorization the {@code Authorization} this proxy presents to the endpoint (client credentials), if any
     * @param timeout the longest one call may take
     */
    public record Introspection(URI url, boolean forwardAuthorization, Optional<String> member, Optional<String> authorization,
                                Duration timeout) {}
}
