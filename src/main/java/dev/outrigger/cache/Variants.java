package dev.outrigger.cache;

import dev.outrigger.policy.Headers;
import dev.outrigger.policy.Vary;
import dev.outrigger.store.StoredValue;
import dev.outrigger.store.VariantIndex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Secondary keys as stored (RFC 9111 §4.1): variant keys, which variant a request selects, the capped index. */
public final class Variants {

    private Variants() {}

    /** Whether a response varying as {@code response} says selects the same variant for both requests (RFC 9111 §4.1). */
    public static boolean sameVariant(Headers response, Headers a, Headers b) {
        List<String> fields = Vary.fields(response);
        return fields.isEmpty() || !fields.contains("*") && Vary.secondaryKey(fields, a).equals(Vary.secondaryKey(fields, b));
    }

    /** A variant's key: the primary key and a digest of its secondary key (no request header values in key names). */
    public static String variantKey(String key, List<String> fields, Headers request) {
        return variantKey(key, variantId(fields, request));
    }

    public static String variantKey(String key, String variantId) {
        return key + " #" + variantId;
    }

    /** The key a variant key was made from (its URL's, under which the variant index lives); empty for any other key. */
    static java.util.Optional<String> baseKey(String key) {
        int at = key.lastIndexOf(" #");
        return at > 0 && key.length() - at - 2 == 32 ? java.util.Optional.of(key.substring(0, at)) : java.util.Optional.empty();
    }

    public static String variantId(List<String> fields, Headers request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Vary.secondaryKey(fields, request).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /**
     * The variant index that records variant {@code id} as well (expired variants forgotten), or empty when
     * the URL already holds {@code maxVariants} others: a client sending random values of a varied header
     * cannot flood the store. Replicas writing at the same moment may each add one past the cap.
     */
    static Optional<VariantIndex> withVariant(Optional<StoredValue> stored, List<String> fields, String id,
                                              long expiresAtMillis, long now, int maxVariants) {
        List<VariantIndex.Variant> live = new ArrayList<>();
        stored.filter(v -> v instanceof VariantIndex index && index.fields().equals(fields))
                .ifPresent(v -> ((VariantIndex) v).variants().stream()
                        .filter(variant -> variant.expiresAtMillis() > now && !variant.id().equals(id))
                        .forEach(live::add));
        if (live.size() >= maxVariants) {
            return Optional.empty();
        }
        live.add(new VariantIndex.Variant(id, expiresAtMillis));
        return Optional.of(new VariantIndex(fields, live));
    }
}
