package dev.outrigger.store;

import java.util.List;

/**
 * Stored under a URL's primary key when its response varies (RFC 9111 §4.1): the request fields that
 * select a variant, and the variants stored so far (each an id and when it expires, epoch ms), so that
 * their number can be capped. Each variant lives under the primary key plus its id.
 */
public record VariantIndex(List<String> fields, List<Variant> variants) implements StoredValue {

    /** One stored variant: its id (a digest of its secondary key) and when its entry expires. */
    public record Variant(String id, long expiresAtMillis) {}

    public VariantIndex {
        fields = List.copyOf(fields);
        variants = List.copyOf(variants);
    }

    public VariantIndex(List<String> fields) {
        this(fields, List.of());
    }
}
