package dev.outrigger.metrics;

import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.aggregate.FanOut;
import dev.outrigger.coalesce.CoalesceListener;
import dev.outrigger.policy.CacheOutcome;
import dev.outrigger.purge.Purge;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.session.Sessions;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.upstream.UpstreamHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The one place that turns what happened into meters. Meters are registered up front so every outcome
 * shows in {@code /q/metrics} from the first scrape, at zero.
 */
public final class Meters {

    /** The route tag of requests no configured route takes (and of those refused before routing). */
    public static final String DEFAULT_ROUTE = "default";

    /** Requests counters by route, then outcome: the route tag is bounded by the configured route names. */
    private volatile Map<String, Map<CacheOutcome, Counter>> requests = Map.of();
    private final Timer upstreamLatency;
    private final MeterRegistry registry;
    private final Counter purgedHard;
    private final Counter purgedSoft;
    private final Counter variantsCapped;
    private final Counter captures;
    /** Request durations by outcome, from arrival until the proxy has the whole answer. */
    private final Map<CacheOutcome, Timer> durations = new EnumMap<>(CacheOutcome.class);

    /**
     * Histogram buckets for requests and upstream calls: a sidecar pays for every series in every pod, so a dozen
     * fixed bounds from a hit's fraction of a millisecond to a slow upstream's seconds, not ~70 generated ones.
     */
    static final Duration[] REQUEST_BUCKETS = durations(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);
    /** Buckets for Redis calls and purge broadcast: sub-millisecond to a second. */
    static final Duration[] STORE_BUCKETS = durations(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000);

    private static Duration[] durations(double... millis) {
        Duration[] d = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            d[i] = Duration.ofNanos(Math.round(millis[i] * 1_000_000));
        }
        return d;
    }
    private final Counter connectionsRefused;

    public Meters(MeterRegistry registry) {
        this.registry = registry;
        this.aggregateMeters = new AggregateMeters(registry);
        compressReceived = Counter.builder("outrigger.compress.received.bytes").baseUnit("bytes")
                .description("Compressible responses stored: their bytes as the upstream sent them (uncompressed)").register(registry);
        compressStored = Counter.builder("outrigger.compress.stored.bytes").baseUnit("bytes")
                .description("Compressible responses stored: their bytes as stored (gzip; as sent when gzip saved too little)")
                .register(registry);
        decompressions = Counter.builder("outrigger.compress.decompressions")
                .description("Stored compressed bodies decompressed for clients that do not accept gzip (once per copy in memory)")
                .register(registry);
        undecodable = Counter.builder("outrigger.compress.undecodable")
                .description("Stored compressed bodies past the expansion bound or damaged: not served (a lookup misses)").register(registry);
        for (CacheOutcome outcome : CacheOutcome.values()) {
            durations.put(outcome, Timer.builder("outrigger.request.duration")
                    .description("Requests on the traffic port, from arrival until the proxy has the whole answer, by outcome")
                    .tag("outcome", outcome.label())
                    .serviceLevelObjectives(REQUEST_BUCKETS)
                    .register(registry));
        }

        routes(java.util.List.of(DEFAULT_ROUTE));
        upstreamLatency = Timer.builder("outrigger.upstream.latency")
                .description("Time from starting an upstream request (getting a connection included) to its response head")
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry);
        purgedHard = Counter.builder("outrigger.purge.invalidated").tag("mode", "hard")
                .description("Stored entries found purged when looked up (hard: dropped, soft: served stale and refreshed)")
                .register(registry);
        purgedSoft = Counter.builder("outrigger.purge.invalidated").tag("mode", "soft")
                .description("Stored entries found purged when looked up (hard: dropped, soft: served stale and refreshed)")
                .register(registry);
        variantsCapped = counter("outrigger.cache.variants.capped",
                "Responses served but not stored because their URL already holds the most variants allowed");
        captures = counter("outrigger.cache.captures",
                "Responses from the upstream judged storable, counted before the client has the head, and copied as they "
                        + "stream (stored when they end within the object size limit); background refreshes count too, "
                        + "304 revalidations (which refresh a stored entry) do not");
        connectionsRefused = counter("outrigger.client.connections.refused",
                "Client connections refused on the traffic port because the pod's connection cap was reached");
    }

    /** Exports the client connections open on the traffic port (all event loops together). */
    public void clientConnections(Supplier<Integer> open) {
        Gauge.builder("outrigger.client.connections", open::get)
                .description("Client connections open on the traffic port").register(registry);
    }

    /** A client connection was refused: the connection cap was reached. */
    public void clientConnectionRefused() {
        connectionsRefused.increment();
    }

    /** A response for one more variant of a URL that holds the most allowed was not stored. */
    public void variantsCapped() {
        variantsCapped.increment();
    }

    /** A response was judged storable: its body is copied as it streams. */
    public void captured() {
        captures.increment();
    }

    /** A looked-up entry turned out purged. */
    public void purgedEntry(boolean soft) {
        (soft ? purgedSoft : purgedHard).increment();
    }

    /** Counts purges by kind and mode, rejected channel messages, and how long broadcasts took; exports the records held. */
    public PurgeBus.Listener purgeListener(Supplier<Integer> records) {
        Map<String, Counter> purges = new HashMap<>();
        for (String kind : new String[] {"url", "tag", "prefix", "all"}) {
            for (String mode : new String[] {"hard", "soft"}) {
                purges.put(kind + mode, Counter.builder("outrigger.purges").tag("kind", kind).tag("mode", mode)
                        .description("Purge targets applied in this pod, by kind").register(registry));
            }
        }
        Counter rejected = counter("outrigger.purge.rejected", "Messages on the invalidation channel that were not a purge");
        Timer lag = Timer.builder("outrigger.purge.broadcast.lag")
                .description("From a purge being issued (in any pod) to this pod applying it")
                .serviceLevelObjectives(STORE_BUCKETS)
                .register(registry);
        Gauge.builder("outrigger.purge.records", records::get)
                .description("Purge records held by this pod (each lives as long as the longest entry could)").register(registry);
        return new PurgeBus.Listener() {
            @Override
            public void applied(Purge p) {
                String mode = p.soft() ? "soft" : "hard";
                purges.get("url" + mode).increment(p.urls().size());
                purges.get("tag" + mode).increment(p.tags().size());
                purges.get("prefix" + mode).increment(p.prefixes().size());
                if (p.all()) {
                    purges.get("all" + mode).increment();
                }
            }

            @Override
            public void broadcastLag(long millis) {
                lag.record(millis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void rejected() {
                rejected.increment();
            }
        };
    }

    /** Session lookups by outcome and the resolver's latency ({@code outrigger_session_*}), registered at zero. */
    public Sessions.Listener sessionListener() {
        Map<String, Counter> lookups = new HashMap<>();
        for (String outcome : new String[] {"hit", "miss", "invalid", "error"}) {
            lookups.put(outcome, Counter.builder("outrigger.session.lookups").tag("outcome", outcome)
                    .description("Session lookups: hit (kept session), miss (resolved now), invalid (token rejected), "
                            + "error (resolver unavailable)")
                    .register(registry));
        }
        Timer resolver = Timer.builder("outrigger.session.resolver.latency")
                .description("Calls to the session resolver (introspection), answered or failed")
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry);
        return new Sessions.Listener() {
            @Override
            public void lookup(String outcome) {
                Counter c = lookups.get(outcome);
                if (c != null) {
                    c.increment();
                }
            }

            @Override
            public void resolver(long nanos) {
                resolver.record(nanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    private final AggregateMeters aggregateMeters;

    /** Registers, at zero, the meters of every configured aggregate and part (see {@link AggregateMeters}). */
    public void aggregates(Aggregates configured) {
        aggregateMeters.register(configured);
    }

    /** What aggregates report; names not registered by {@link #aggregates} are not counted. */
    public FanOut.Listener aggregateListener() {
        return aggregateMeters;
    }

    /** What warming does (see {@link WarmMeters}). */
    public dev.outrigger.warm.Warmer.Listener warmListener() {
        return new WarmMeters(registry);
    }

    private final Counter compressReceived;
    private final Counter compressStored;
    private final Counter decompressions;
    private final Counter undecodable;

    /** A compressible response was stored: {@code received} bytes as the upstream sent them, {@code stored} kept. */
    public void compression(long received, long stored) {
        compressReceived.increment(received);
        compressStored.increment(stored);
    }

    /** A stored compressed body was decompressed for a client that does not accept gzip. */
    public void decompressed() {
        decompressions.increment();
    }

    /** A stored compressed body did not decompress within the bound (a damaged entry): not served. */
    public void undecodable() {
        undecodable.increment();
    }

    /** Exports the bytes the in-process store holds. */
    public void l1Bytes(Supplier<Long> bytes) {
        Gauge.builder("outrigger.store.l1.bytes", bytes::get)
                .description("Bytes held by the in-process cache store").baseUnit("bytes").register(registry);
    }

    /** Confirmations of in-memory copies and their round trips (see {@link StoreMeters}). */
    public dev.outrigger.store.BatchedHeads.Listener headBatchListener() {
        return StoreMeters.confirmations(registry);
    }

    /** The shared store's calls, failures and circuit (see {@link StoreMeters}). */
    public FailOpenStore.Listener storeListener() {
        return StoreMeters.calls(registry);
    }

    /**
     * Exports whether the application is failing (0 healthy, 1 failing), counts its failures by kind, the probes
     * let through while it fails and the stale answers given without asking it.
     */
    public UpstreamHealth.Listener upstreamListener() {
        AtomicInteger state = new AtomicInteger();
        Gauge.builder("outrigger.upstream.state", state, AtomicInteger::get)
                .description("The application as its exchanges show it: 0 healthy, 1 failing (stale-if-error served without asking it)")
                .register(registry);
        Counter probes = counter("outrigger.upstream.probes", "Requests let through to a failing application to see whether it is back");
        Counter spared = counter("outrigger.upstream.spared",
                "Requests answered from a stale-if-error copy without asking the failing application");
        Map<String, Counter> failures = new java.util.concurrent.ConcurrentHashMap<>();
        return new UpstreamHealth.Listener() {
            @Override
            public void failure(String reason) {
                failures.computeIfAbsent(reason, r -> Counter.builder("outrigger.upstream.failures")
                        .description("Upstream exchanges that failed: refused, closed, timeout, connect-timeout, unknown-host, "
                                + "error, or the status 502/503/504")
                        .tag("reason", r).register(registry)).increment();
            }

            @Override
            public void stateChanged(UpstreamHealth.State s) {
                state.set(s == UpstreamHealth.State.FAILING ? 1 : 0);
            }

            @Override
            public void servedWithoutAsking() {
                spared.increment();
            }

            @Override
            public void probe() {
                probes.increment();
            }
        };
    }

    /**
     * A request that took part in a key's flight fetched for itself after all: unshareable, wait-timed-out,
     * fetch-failed, other-variant, nothing-stored or lookup-failed (see the README, "Under failure").
     */
    public void coalesceGaveUp(String reason) {
        gaveUp.computeIfAbsent(reason, r -> Counter.builder("outrigger.coalesce.gave.up")
                .description("Requests that took part in a flight and then fetched for themselves, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    private final Map<String, Counter> gaveUp = new java.util.concurrent.ConcurrentHashMap<>();

    /** Counts what request coalescing did. */
    public CoalesceListener coalesceListener() {
        Counter waiting = counter("outrigger.coalesce.waiters", "Requests that waited for another request's upstream fetch");
        Counter leases = counter("outrigger.coalesce.leases", "Fetch leases taken in Redis (one per key per fetch, deployment-wide)");
        Counter takeovers = counter("outrigger.coalesce.takeovers",
                "Fetches taken over from a holder that failed or went silent");
        Counter timeouts = counter("outrigger.coalesce.wait.timeouts", "Waits that ran out their bound; the request fetched itself");
        Counter saved = counter("outrigger.coalesce.fetches.saved",
                "Requests answered without an upstream fetch of their own: from another's fetch, or stale meanwhile");
        return new CoalesceListener() {
            @Override
            public void waiting() {
                waiting.increment();
            }

            @Override
            public void leaseTaken() {
                leases.increment();
            }

            @Override
            public void takeover() {
                takeovers.increment();
            }

            @Override
            public void waitTimedOut() {
                timeouts.increment();
            }

            @Override
            public void saved(int requests) {
                saved.increment(requests);
            }
        };
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** Registers the requests counters of these routes (the route tag's whole range: the configured names and default). */
    public synchronized void routes(java.util.List<String> names) {
        Map<String, Map<CacheOutcome, Counter>> all = new HashMap<>(requests);
        for (String route : names) {
            Map<CacheOutcome, Counter> byOutcome = new EnumMap<>(CacheOutcome.class);
            for (CacheOutcome outcome : CacheOutcome.values()) {
                byOutcome.put(outcome, Counter.builder("outrigger.requests")
                        .description("Requests on the traffic port, by route and by what the proxy did with them")
                        .tag("outcome", outcome.label())
                        .tag("route", route)
                        .register(registry));
            }
            all.put(route, byOutcome);
        }
        requests = Map.copyOf(all);
    }

    /** A request of the default route ended so. */
    public void outcome(CacheOutcome outcome) {
        outcome(DEFAULT_ROUTE, outcome);
    }

    /** A request of {@code route}, arrived at {@code arrivedNanos} (System.nanoTime), ended so. */
    public void outcome(String route, CacheOutcome outcome, long arrivedNanos) {
        outcome(route, outcome);
        durations.get(outcome).record(System.nanoTime() - arrivedNanos, TimeUnit.NANOSECONDS);
    }

    /** A request of {@code route} ended so. */
    public void outcome(String route, CacheOutcome outcome) {
        Map<CacheOutcome, Counter> byOutcome = requests.get(route);
        (byOutcome == null ? requests.get(DEFAULT_ROUTE) : byOutcome).get(outcome).increment();
    }

    /** Exports {@code outrigger_build_info}: always 1, with the version and the runtime as tags (join it to other series). */
    public void buildInfo(String version) {
        Gauge.builder("outrigger.build.info", () -> 1)
                .description("Always 1: the Outrigger version and the Java runtime, as tags")
                .tag("version", version)
                .tag("java", System.getProperty("java.version", "unknown"))
                .tag("runtime", System.getProperty("org.graalvm.nativeimage.imagecode") != null ? "native" : "jvm")
                .register(registry);
    }

    public void upstreamLatency(long nanos) {
        upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
}
