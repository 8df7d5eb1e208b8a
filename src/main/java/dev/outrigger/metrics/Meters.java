package dev.outrigger.metrics;

import dev.outrigger.policy.CacheOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one place that turns what happened into meters. Meters are registered up front so every outcome
 * shows in {@code /q/metrics} from the first scrape, at zero.
 */
public final class Meters {

    private final Map<CacheOutcome, Counter> requests = new EnumMap<>(CacheOutcome.class);
    private final Timer upstreamLatency;

    public Meters(MeterRegistry registry) {
        for (CacheOutcome outcome : CacheOutcome.values()) {
            requests.put(outcome, Counter.builder("outrigger.requests")
                    .description("Requests on the traffic port, by what the proxy did with them")
                    .tag("outcome", outcome.label())
                    .register(registry));
        }
        upstreamLatency = Timer.builder("outrigger.upstream.latency")
                .description("Time from starting an upstream request (getting a connection included) to its response head")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    public void outcome(CacheOutcome outcome) {
        requests.get(outcome).increment();
    }

    public void upstreamLatency(long nanos) {
        upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
