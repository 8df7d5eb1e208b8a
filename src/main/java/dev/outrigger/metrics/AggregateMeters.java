package dev.outrigger.metrics;

import dev.outrigger.aggregate.Aggregate;
import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.aggregate.FanOut;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The aggregates' meters, registered at zero from configuration (bounded by it):
 * {@code outrigger_aggregate_requests_total{aggregate,result}} (complete, partial, failed),
 * {@code outrigger_aggregate_part_failures_total{aggregate,part,reason}}, and the latency histograms
 * {@code outrigger_aggregate_duration_seconds{aggregate}} and {@code outrigger_aggregate_part_duration_seconds{aggregate,part}}.
 */
final class AggregateMeters implements FanOut.Listener {

    private final MeterRegistry registry;
    private final Map<String, Counter> aggregateResults = new ConcurrentHashMap<>();
    private final Map<String, Counter> partFailures = new ConcurrentHashMap<>();
    private final Map<String, Timer> aggregateLatency = new ConcurrentHashMap<>();
    private final Map<String, Timer> partLatency = new ConcurrentHashMap<>();

    AggregateMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Registers, at zero, the meters of every configured aggregate and part (bounded by configuration):
     * {@code outrigger_aggregate_requests_total{aggregate,result}} (complete, partial, failed),
     * {@code outrigger_aggregate_part_failures_total{aggregate,part,reason}}, and the latency histograms
     * {@code outrigger_aggregate_duration_seconds{aggregate}} and {@code outrigger_aggregate_part_duration_seconds{aggregate,part}}.
     */
    synchronized void register(Aggregates configured) {
        for (Aggregate a : configured.all()) {
            for (String result : new String[] {"complete", "partial", "failed"}) {
                aggregateResults.computeIfAbsent(a.name() + '\n' + result, k -> Counter.builder("outrigger.aggregate.requests")
                        .tag("aggregate", a.name()).tag("result", result)
                        .description("Aggregate requests: complete (every part), partial (an optional part failed), failed "
                                + "(a required part failed)")
                        .register(registry));
            }
            aggregateLatency.computeIfAbsent(a.name(), k -> Timer.builder("outrigger.aggregate.duration").tag("aggregate", a.name())
                    .description("Time to answer an aggregate, all parts included").serviceLevelObjectives(Meters.REQUEST_BUCKETS)
                    .register(registry));
            for (Aggregate.Part p : a.parts()) {
                for (String reason : new String[] {"status", "timeout", "unreachable", "invalid", "too-large"}) {
                    partFailures.computeIfAbsent(a.name() + '\n' + p.name() + '\n' + reason, k -> Counter.builder(
                                    "outrigger.aggregate.part.failures").tag("aggregate", a.name()).tag("part", p.name()).tag("reason", reason)
                            .description("Aggregate parts that failed, by reason: status (not 2xx), timeout, unreachable, invalid "
                                    + "(not JSON), too-large")
                            .register(registry));
                }
                partLatency.computeIfAbsent(a.name() + '\n' + p.name(), k -> Timer.builder("outrigger.aggregate.part.duration")
                        .tag("aggregate", a.name()).tag("part", p.name())
                        .description("Time until an aggregate part was answered, failed or timed out").serviceLevelObjectives(Meters.REQUEST_BUCKETS)
                        .register(registry));
            }
        }
    }

    @Override
    public void answered(String aggregate, String result, long nanos) {
        Counter c = aggregateResults.get(aggregate + '\n' + result);
        if (c != null) {
            c.increment();
        }
        Timer t = aggregateLatency.get(aggregate);
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void part(String aggregate, String part, String failure, long nanos) {
        if (failure != null) {
            Counter c = partFailures.get(aggregate + '\n' + part + '\n' + failure);
            if (c != null) {
                c.increment();
            }
        }
        Timer t = partLatency.get(aggregate + '\n' + part);
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
