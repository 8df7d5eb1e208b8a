package dev.outrigger.store;

import java.util.Optional;
import java.util.function.Supplier;

/** What the store is made of, and whether its shared tier is answering: for health data. */
public record StoreStatus(String layout, Supplier<Optional<FailOpenStore.State>> circuit) {

    /** True while the shared tier is skipped or on probation. */
    public boolean degraded() {
        return circuit.get().map(s -> s != FailOpenStore.State.CLOSED).orElse(false);
    }
}
