package dev.outrigger.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.outrigger.testsupport.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Local JWT verification against a real JWKS endpoint (a Vert.x server on a random port) serving keys generated
 * here: valid, expired, wrong issuer or audience, bad signature, symmetric and unsigned tokens, key rotation, and an
 * unreachable key set.
 */
class JwtResolverTest {

    Vertx vertx;
    HttpServer jwksServer;
    final AtomicInteger jwksFetches = new AtomicInteger();
    final AtomicReference<String> jwks = new AtomicReference<>();
    final AtomicReference<Integer> jwksFails = new AtomicReference<>();
    final MutableClock clock = new MutableClock(Instant.now());
    RsaJsonWebKey key;

    @BeforeEach
    void start() throws Exception {
        key = rsa("k1");
        jwks.set(new JsonWebKeySet(key).toJson());
        vertx = Vertx.vertx();
        jwksServer = vertx.createHttpServer().requestHandler(req -> {
            jwksFetches.incrementAndGet();
            Integer fail = jwksFails.get();
            if (fail != null) {
                req.response().setStatusCode(fail).end();
            } else {
                req.response().putHeader("Content-Type", "application/json").end(jwks.get());
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        jwksServer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static RsaJsonWebKey rsa(String kid) throws Exception {
        RsaJsonWebKey k = RsaJwkGenerator.generateJwk(2048);
        k.setKeyId(kid);
        return k;
    }

    JwtResolver resolver() {
        return new JwtResolver(new SessionSettings.Jwt(Optional.of(URI.create("http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json")),
                Optional.empty(), Optional.of("https://auth.shop"), Optional.of("shop"), Duration.ofSeconds(30), Duration.ofMinutes(10)),
                WebClient.create(vertx), clock);
    }

    JwtClaims claims(String sub) {
        JwtClaims c = new JwtClaims();
        c.setIssuer("https://auth.shop");
        c.setAudience("shop");
        c.setSubject(sub);
        c.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 600));
        c.setIssuedAt(NumericDate.fromSeconds(clock.instant().getEpochSecond() - 120));
        return c;
    }

    static String sign(JwtClaims claims, RsaJsonWebKey with) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(with.getPrivateKey());
        jws.setKeyIdHeaderValue(with.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    static Resolution await(io.smallrye.mutiny.Uni<Resolution> r) {
        return r.await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aValidTokensClaimsAreTheSession() throws Exception {
        JwtResolver resolver = resolver();
        Resolution.Active a = assertInstanceOf(Resolution.Active.class, await(resolver.resolve(sign(claims("ada"), key))));
        assertEquals("ada", a.session().getString("sub"));
        assertEquals(Optional.of(Instant.ofEpochSecond(clock.instant().getEpochSecond() + 600)), a.expires());
        await(resolver.resolve(sign(claims("bob"), key)));
        assertEquals(1, jwksFetches.get(), "the key set is fetched once and kept");
    }

    @Test
    void whatFailsVerificationIsRejected() throws Exception {
        JwtResolver resolver = resolver();
        JwtClaims expired = claims("ada");
        expired.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() - 60));
        assertEquals(new Resolution.Rejected("expired"), await(resolver.resolve(sign(expired, key))));
        JwtClaims withinLeeway = claims("ada");
        withinLeeway.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() - 10));
        assertInstanceOf(Resolution.Active.class, await(resolver.resolve(sign(withinLeeway, key))), "30 s of leeway");

        JwtClaims otherIssuer = claims("ada");
        otherIssuer.setIssuer("https://evil.example");
        assertEquals(new Resolution.Rejected("invalid token"), await(resolver.resolve(sign(otherIssuer, key))));
        JwtClaims otherAudience = claims("ada");
        otherAudience.setAudience("billing");
        assertEquals(new Resolution.Rejected("invalid token"), await(resolver.resolve(sign(otherAudience, key))));
        JwtClaims noExpiry = claims("ada");
        noExpiry.setExpirationTime(null);
        assertInstanceOf(Resolution.Rejected.class, await(resolver.resolve(sign(noExpiry, key))));

        RsaJsonWebKey impostor = rsa("k1"); // the same kid, another key
        assertEquals(new Resolution.Rejected("bad signature"), await(resolver.resolve(sign(claims("ada"), impostor))));

        JsonWebSignature hmac = new JsonWebSignature();
        hmac.setPayload(claims("ada").toJson());
        hmac.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        hmac.setKey(new HmacKey(key.getRsaPublicKey().getEncoded())); // the public key as an HMAC secret: the classic confusion
        assertInstanceOf(Resolution.Rejected.class, await(resolver.resolve(hmac.getCompactSerialization())));
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(claims("ada").toJson().getBytes()) + ".";
        assertInstanceOf(Resolution.Rejected.class, await(resolver.resolve(unsigned)));
        assertInstanceOf(Resolution.Rejected.class, await(resolver.resolve("not.a.jwt")));
    }

    @Test
    void aRotatedKeyIsFetchedAndAnUnreachableKeySetIsNotAVerdict() throws Exception {
        jwksFails.set(503);
        JwtResolver resolver = resolver();
        assertInstanceOf(Resolution.Unavailable.class, await(resolver.resolve(sign(claims("ada"), key))));
        jwksFails.set(null);
        assertInstanceOf(Resolution.Active.class, await(resolver.resolve(sign(claims("ada"), key))));

        RsaJsonWebKey next = rsa("k2");
        jwks.set(new JsonWebKeySet(List.of(key, next)).toJson());
        clock.advance(Duration.ofSeconds(11)); // past the least time between fetches: an unknown kid may send for the set
        int before = jwksFetches.get();
        Resolution.Active rotated = assertInstanceOf(Resolution.Active.class, await(resolver.resolve(sign(claims("eve"), next))));
        assertEquals("eve", rotated.session().getString("sub"));
        assertEquals(before + 1, jwksFetches.get());
    }
}
