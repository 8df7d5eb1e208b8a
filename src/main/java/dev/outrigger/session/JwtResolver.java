package dev.outrigger.session;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies JWTs locally with jose4j: asymmetric signatures only (RS*, PS*, ES*, EdDSA; never {@code none} or a
 * shared secret), {@code exp} required, {@code nbf}, {@code iss} and {@code aud} checked with the leeway; the
 * claims are the session. Keys come from a configured PEM public key, or from a JWKS URL fetched with the outbound
 * Web Client, kept for the refresh interval (and past it while a new fetch fails) and fetched again when a token
 * names a key that is not held (rotation; at most every {@link #MIN_REFETCH}). A token that fails verification is rejected; keys that cannot be had are
 * unavailability, never a verdict on the token. Verification is a signature check on a short string (well under a
 * millisecond): done where the answer is needed, and its result kept by {@link Sessions} like any other.
 */
final class JwtResolver implements Resolver {

    private static final AlgorithmConstraints ASYMMETRIC = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512, AlgorithmIdentifiers.EDDSA);

    private final SessionSettings.Jwt config;
    private final WebClient client;
    private final Clock clock;
    private final Optional<Key> fixedKey;
    /** The keys fetched last, and when. */
    private final AtomicReference<Fetched> keys = new AtomicReference<>();
    /** The fetch in flight, shared by every resolution that needs it. */
    private final AtomicReference<Uni<Fetched>> inflight = new AtomicReference<>();
    /** A token naming a key not held sends for the set again, at most this often (a forged kid is not a fetch each). */
    static final java.time.Duration MIN_REFETCH = java.time.Duration.ofSeconds(10);

    private record Fetched(List<JsonWebKey> keys, Instant at) {}

    JwtResolver(SessionSettings.Jwt config, WebClient client, Clock clock) {
        this.config = config;
        this.client = client;
        this.clock = clock;
        this.fixedKey = config.publicKey().map(JwtResolver::publicKey);
    }

    /** A PEM (or bare base64) SubjectPublicKeyInfo, RSA or EC. */
    static Key publicKey(String pem) {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("not an RSA, EC or Ed25519 public key");
    }

    @Override
    public Uni<Resolution> resolve(String token) {
        if (fixedKey.isPresent()) {
            return Uni.createFrom().item(() -> verify(token, consumer(b -> b.setVerificationKey(fixedKey.get()))));
        }
        Fetched held = keys.get();
        if (held != null && clock.instant().isBefore(held.at().plus(config.jwksRefresh()))) {
            return verifyWithJwks(token, held, true);
        }
        // due for a refresh: the fetched set, or, while it cannot be had, the keys held (they still verify)
        return fetch().flatMap(f -> f != null ? verifyWithJwks(token, f, false)
                : held != null ? verifyWithJwks(token, held, false)
                : Uni.createFrom().item((Resolution) new Resolution.Unavailable("JWKS could not be fetched")));
    }

    /** Verifies with {@code held}; a key it does not hold sends for the set again, unless it was fetched just now. */
    private Uni<Resolution> verifyWithJwks(String token, Fetched held, boolean mayRefetch) {
        Resolution r = verify(token, consumer(b -> b.setVerificationKeyResolver(new JwksVerificationKeyResolver(held.keys()))));
        boolean unknownKey = r instanceof Resolution.Rejected x && x.why().equals("unknown key");
        boolean oldEnough = !clock.instant().isBefore(held.at().plus(MIN_REFETCH));
        if (unknownKey && mayRefetch && oldEnough) {
            return fetch().map(f -> f == null ? new Resolution.Unavailable("JWKS could not be fetched")
                    : verify(token, consumer(b -> b.setVerificationKeyResolver(new JwksVerificationKeyResolver(f.keys())))));
        }
        return Uni.createFrom().item(r);
    }

    /** Fetches the key set, one fetch at a time for all who need it; null when it cannot be had (the held set stays). */
    private Uni<Fetched> fetch() {
        Uni<Fetched> running = inflight.get();
        if (running != null) {
            return running;
        }
        Uni<Fetched> mine = fetchNow().eventually(() -> inflight.set(null)).memoize().indefinitely();
        return inflight.compareAndSet(null, mine) ? mine : inflight.get() == null ? mine : inflight.get();
    }

    private Uni<Fetched> fetchNow() {
        return Uni.createFrom().completionStage(() -> client.getAbs(config.jwksUrl().orElseThrow().toString())
                        .timeout(2_000).send().toCompletionStage())
                .map(response -> {
                    if (response.statusCode() != 200 || response.body() == null) {
                        return null;
                    }
                    try {
                        Fetched f = new Fetched(new JsonWebKeySet(response.bodyAsString()).getJsonWebKeys(), clock.instant());
                        keys.set(f);
                        return f;
                    } catch (Exception e) {
                        return null;
                    }
                })
                .onFailure().recoverWithItem((Fetched) null);
    }

    private JwtConsumer consumer(java.util.function.Consumer<JwtConsumerBuilder> keySource) {
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds((int) config.leeway().toSeconds())
                .setEvaluationTime(org.jose4j.jwt.NumericDate.fromMilliseconds(clock.millis()))
                .setJwsAlgorithmConstraints(ASYMMETRIC);
        config.issuer().ifPresentOrElse(b::setExpectedIssuer, () -> { });
        if (config.audience().isPresent()) {
            b.setExpectedAudience(config.audience().get());
        } else {
            b.setSkipDefaultAudienceValidation();
        }
        keySource.accept(b);
        return b.build();
    }

    private static Resolution verify(String token, JwtConsumer consumer) {
        try {
            JwtClaims claims = consumer.processToClaims(token);
            Optional<Instant> exp = Optional.ofNullable(claims.getExpirationTime()).map(t -> Instant.ofEpochSecond(t.getValue()));
            return new Resolution.Active(new JsonObject(claims.toJson()), exp);
        } catch (InvalidJwtException e) {
            if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
                return new Resolution.Rejected("expired");
            }
            if (e.getCause() instanceof UnresolvableKeyException) {
                return new Resolution.Rejected("unknown key");
            }
            if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                return new Resolution.Rejected("bad signature");
            }
            return new Resolution.Rejected("invalid token"); // issuer, audience, nbf, malformed, algorithm: never the token itself
        } catch (Exception e) {
            return new Resolution.Rejected("invalid token");
        }
    }
}
