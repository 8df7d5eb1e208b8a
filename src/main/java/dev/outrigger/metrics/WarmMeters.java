package dev.outrigger.metrics;

import dev.outrigger.warm.Warmer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What warming does: {@code outrigger_warm_runs_total{result}} (ran, skipped), {@code outrigger_warm_urls_total{result}}
 * (fresh, fetched, failed), {@code outrigger_warm_duration_seconds}.
 */
final class WarmMeters implements Warmer.Listener {

    private final Map<String, Counter> rounds;
    private final Map<String, Counter> urls;
    private final Timer duration;

    WarmMeters(MeterRegistry registry) {
        rounds = new HashMap<>();
        for (String r : new String[] {"ran", "skipped"}) {
            rounds.put(r, Counter.builder("outrigger.warm.runs").tag("result", r)
                    .description("Warming rounds: ran (this replica warmed) or skipped (another replica's round, or one running)")
                    .register(registry));
        }
        urls = new HashMap<>();
        for (String r : new String[] {"fresh", "fetched", "failed"}) {
            urls.put(r, Counter.builder("outrigger.warm.urls").tag("result", r)
                    .description("Warmed targets: fresh (left alone), fetched (missing or near expiry), failed").register(registry));
        }
        duration = Timer.builder("outrigger.warm.duration").description("Warming runs, from the first request to the last answer")
                .serviceLevelObjectives(Meters.REQUEST_BUCKETS).register(registry);
    }

    @Override
    public void round(String result) {
        rounds.get(result).increment();
    }

    @Override
    public void target(String result) {
        urls.get(result).increment();
    }

    @Override
    public void ran(long nanos) {
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }
}
