package dev.outrigger.rules;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hash (HMAC-SHA256, 128 bits kept) that stands for a user's identity in cache keys: keys in
 * Redis, explain answers and debug headers show it, never the token or cookie itself, and without the
 * deployment's secret nobody can tell which identity a key belongs to, or test a guess.
 */
final class UserHash {

    private final SecretKeySpec key;
    /** One Mac per thread: getting one costs more than the hash. */
    private final ThreadLocal<Mac> macs;

    UserHash(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("empty secret");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    String of(String identity) {
        Mac mac = macs.get();
        byte[] digest = mac.doFinal(identity.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always present", e);
        }
    }
}
