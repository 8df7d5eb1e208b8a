package dev.outrigger.store;

import java.util.List;

/**
 * Stored under a URL's primary key when its response varies (RFC 9111 §4.1): the request fields that
 * select a variant. Each variant lives under the primary key plus its secondary key.
 */
public record VariantIndex(List<String> fields) implements StoredValue {
    public VariantIndex {
        fields = List.copyOf(fields);
    }
}
