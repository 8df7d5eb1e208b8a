package dev.outrigger.store;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the store is made of, whether its shared tier is answering, and whether Redis bounds its memory (once
 * it has said): for health data.
 */
public record StoreStatus(String layout, Supplier<Optional<FailOpenStore.State>> circuit,
                          Supplier<Optional<RedisMemory.Limits>> redisMemory) {

    /** True while the shared tier is skipped or on probation. */
    public boolean degraded() {
        return circuit.get().map(s -> s != FailOpenStore.State.CLOSED).orElse(false);
    }
}
