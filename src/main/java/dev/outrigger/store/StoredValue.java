package dev.outrigger.store;

/** What a cache key holds: a response, or the index of a varying response's variants. */
public sealed interface StoredValue permits StoredResponse, VariantIndex {}
