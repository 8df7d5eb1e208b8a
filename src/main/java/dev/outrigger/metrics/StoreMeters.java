package dev.outrigger.metrics;

import dev.outrigger.store.BatchedHeads;
import dev.outrigger.store.FailOpenStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared store's meters ({@code outrigger_store_*}): its calls by operation (latency, slow, errors), its circuit,
 * and the confirmations of in-memory copies with the round trips they took. Registered at zero when Redis is
 * configured, so dashboards and alerts see a series from the start.
 */
final class StoreMeters {

    private StoreMeters() {}

    /**
     * Confirmations of in-memory copies read from the shared store, and the round trips they took
     * ({@code outrigger_store_confirmations_total}, {@code outrigger_store_confirmation_batches_total}): their ratio
     * is the keys per batch.
     */
    static BatchedHeads.Listener confirmations(MeterRegistry registry) {
        Counter keys = Counter.builder("outrigger.store.confirmations")
                .description("In-memory copies confirmed against the shared store (their identity bytes read)").register(registry);
        Counter batches = Counter.builder("outrigger.store.confirmation.batches")
                .description("Round trips the confirmations took: one per batch (the keys an event loop asked for in one turn)")
                .register(registry);
        return n -> {
            keys.increment(n);
            batches.increment();
        };
    }

    /** Counts the shared store's failures by operation, and exports its circuit state (0 closed, 1 half-open, 2 open). */
    static FailOpenStore.Listener calls(MeterRegistry registry) {
        AtomicInteger state = new AtomicInteger();
        Gauge.builder("outrigger.store.circuit", state, AtomicInteger::get)
                .description("Shared store circuit: 0 closed, 1 half-open (probing), 2 open (Redis skipped)").register(registry);
        Map<String, Timer> latency = new HashMap<>();
        Map<String, Counter> slow = new ConcurrentHashMap<>();
        Map<String, Counter> errors = new ConcurrentHashMap<>();
        for (String operation : new String[] {"get", "put", "remove"}) {
            // registered at zero: dashboards and alerts see a series from the start, not a gap until the first error
            slow.put(operation, Counter.builder("outrigger.store.slow")
                    .description("Shared store calls that ran out of time while the store answered others "
                            + "(this process's own queueing: a miss, but not a store failure)")
                    .tag("operation", operation).register(registry));
            errors.put(operation, Counter.builder("outrigger.store.errors").description("Shared store calls that failed or timed out")
                    .tag("operation", operation).register(registry));
            latency.put(operation, Timer.builder("outrigger.store.latency")
                    .description("Shared store calls that succeeded, by operation")
                    .tag("operation", operation)
                    .serviceLevelObjectives(Meters.STORE_BUCKETS)
                    .register(registry));
        }
        return new FailOpenStore.Listener() {
            @Override
            public void latency(String operation, long nanos) {
                Timer t = latency.get(operation);
                if (t != null) {
                    t.record(nanos, TimeUnit.NANOSECONDS);
                }
            }

            @Override
            public void slow(String operation) {
                slow.computeIfAbsent(operation, op -> Counter.builder("outrigger.store.slow").tag("operation", op).register(registry))
                        .increment();
            }

            @Override
            public void failure(String operation, Throwable cause) {
                errors.computeIfAbsent(operation, op -> Counter.builder("outrigger.store.errors").tag("operation", op).register(registry))
                        .increment();
            }

            @Override
            public void stateChanged(FailOpenStore.State s) {
                state.set(switch (s) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                });
            }
        };
    }
}
