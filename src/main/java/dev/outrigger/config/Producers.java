package dev.outrigger.config;

import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.client.OutboundClient;
import dev.outrigger.coalesce.CoalesceSettings;
import dev.outrigger.coalesce.Coalescer;
import dev.outrigger.coalesce.Leases;
import dev.outrigger.coalesce.RedisLeases;
import dev.outrigger.inject.InjectorSettings;
import dev.outrigger.metrics.Meters;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.policy.Freshness;
import dev.outrigger.proxy.DrainSettings;
import dev.outrigger.proxy.ProxySettings;
import dev.outrigger.purge.PurgeBus;
import dev.outrigger.purge.Purges;
import dev.outrigger.purge.RedisPurgeBus;
import dev.outrigger.rules.Routes;
import dev.outrigger.session.SessionGate;
import dev.outrigger.session.SessionSettings;
import dev.outrigger.session.Sessions;
import dev.outrigger.store.BatchedHeads;
import dev.outrigger.store.CacheStore;
import dev.outrigger.store.FailOpenStore;
import dev.outrigger.store.RedisMemory;
import dev.outrigger.store.RedisStore;
import dev.outrigger.store.StoreStatus;
import dev.outrigger.store.WriteSignals;
import dev.outrigger.upstream.UpstreamHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Turns the config tree into the plain values the rest of the code is built from. */
@Singleton
class Producers {

    /** A Cluster's keys live in different slots: a batch naming several is sent key by key, so none is made. */
    @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
    String redisClientType;

    /** Where a replication client sends what it may: to replicas too, unless {@code never}. */
    @ConfigProperty(name = "quarkus.redis.replicas", defaultValue = "never")
    String redisReplicas;

    /** Whether the Redis client is a Cluster's. */
    private boolean cluster() {
        return redisClientType.trim().equalsIgnoreCase("cluster");
    }

    /**
     * Whether writes carry their announcement in their own transaction: not on a Cluster (no order between nodes,
     * and the announcements are separate there), nor where a replication client may send reads to replicas (it
     * routes a batch holding MULTI, PUBLISH and EXEC, which name no key, as a read: the SET would reach a replica).
     */
    boolean announcingStore() {
        return !cluster()
                && !(redisClientType.trim().equalsIgnoreCase("replication") && !redisReplicas.trim().equalsIgnoreCase("never"));
    }

    /** The store and its status are built together, once. */
    private record Built(TieredResponses store, StoreStatus status, Optional<CacheStore> shared) {}

    private WriteSignals writeSignals;

    /** The pod's name and signal channel: one for its store's write announcements and its leases' signals. */
    private synchronized WriteSignals writeSignals(OutriggerConfig config) {
        if (writeSignals == null) {
            writeSignals = WriteSignals.forNewPod(config.keyPrefix());
        }
        return writeSignals;
    }

    private Built built;

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    Meters meters(MeterRegistry registry, @ConfigProperty(name = "quarkus.application.version") String version) {
        Meters meters = new Meters(registry);
        meters.buildInfo(version);
        return meters;
    }

    @Produces
    @Singleton
    ProxySettings proxySettings(
            OutriggerConfig config,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8480") int port,
            @ConfigProperty(name = "quarkus.http.test-port", defaultValue = "0") int testPort) {
        var upstream = config.upstream();
        var limits = config.limits();
        return new ProxySettings(
                host,
                LaunchMode.current() == LaunchMode.TEST ? testPort : port,
                config.ioThreads().orElse(Runtime.getRuntime().availableProcessors()),
                upstream.url(),
                upstream.maxConnections(),
                upstream.maxWaitQueue(),
                upstream.connectTimeout(),
                upstream.responseTimeout(),
                upstream.keepAliveTimeout(),
                upstream.preserveHost(),
                config.forwarded().trustIncoming(),
                config.forwarded().via(),
                limits.maxRequestLine(),
                limits.maxHeaderSize(),
                limits.maxBodySize().asLongValue(),
                limits.clientIdleTimeout(),
                limits.requestHeadTimeout(),
                limits.maxClientConnections(),
                config.allowTrace(),
                config.forwarded().methodOverride(),
                config.accessLog());
    }

    @Produces
    @Singleton
    SessionGate sessionGate(OutriggerConfig config, Clock clock, Meters meters, io.vertx.core.Vertx vertx, Coalescer coalescer,
                            PurgeBus purgeBus,
                            @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts, Instance<Redis> redis) {
        SessionSettings settings = SessionConfig.settings(config.session());
        if (!settings.enabled()) {
            return new SessionGate(settings, null);
        }
        Sessions sessions = Sessions.of(settings, OutboundClient.create(vertx),
                build(config, clock, meters, redisHosts, redis).shared(), coalescer, purgeBus, clock, meters.sessionListener());
        return new SessionGate(settings, sessions);
    }

    @Produces
    @Singleton
    DrainSettings drainSettings(OutriggerConfig config) {
        return new DrainSettings(config.shutdown().delay(), config.shutdown().grace());
    }

    @Produces
    @Singleton
    InjectorSettings injectorSettings(OutriggerConfig config) {
        var i = config.inject();
        Map<String, InjectorSettings.SecretRef> secrets = new LinkedHashMap<>();
        i.redisSecret().ifPresent(s -> secrets.put("QUARKUS_REDIS_HOSTS", new InjectorSettings.SecretRef(s.name(), s.key())));
        i.adminTokenSecret().ifPresent(s -> secrets.put("OUTRIGGER_ADMIN_TOKEN", new InjectorSettings.SecretRef(s.name(), s.key())));
        i.keySecret().ifPresent(s -> secrets.put("OUTRIGGER_KEY_SECRET", new InjectorSettings.SecretRef(s.name(), s.key())));
        return new InjectorSettings(i.image(), i.imagePullPolicy(), i.nativeSidecar(), i.trafficPort(), i.managementPort(),
                i.portName(), i.appPortSuffix(), i.defaultUpstreamPort(),
                new InjectorSettings.Resources(i.cpuRequest(), i.cpuLimit(), i.memoryRequest(), i.memoryLimit()), i.runAsUser(),
                secrets, i.env(), i.terminationGracePeriodSeconds());
    }

    @Produces
    @Singleton
    Routes routes(OutriggerConfig config, @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts) {
        return RouteConfig.routes(config, configured(redisHosts));
    }

    /** Compressed storage as configured; a bad value stops start-up naming the setting. */
    static dev.outrigger.cache.Compression compression(CompressGroup c) {
        try {
            return new dev.outrigger.cache.Compression(c.enabled(), c.types(), c.minSize().asLongValue(), c.maxExpandedSize().asLongValue(),
                    c.level());
        } catch (IllegalArgumentException e) {
            throw new io.quarkus.runtime.configuration.ConfigurationException("outrigger.compress: " + e.getMessage(),
                    java.util.Set.of("outrigger.compress"));
        }
    }

    @Produces
    @Singleton
    Aggregates aggregates(OutriggerConfig config) {
        return AggregateConfig.aggregates(config);
    }

    @Produces
    @Singleton
    CacheSettings cacheSettings(OutriggerConfig config, Routes routes, Aggregates aggregates) {
        var cache = config.cache();
        return new CacheSettings(cache.maxObjectSize().asLongValue(), new CachePolicy.Settings(
                new Freshness.Heuristics(cache.heuristicFraction(), cache.heuristicMax()),
                cache.staleWhileRevalidate(), cache.staleIfError()), cache.storeResponsesWithSetCookie(),
                config.purge().tagHeaders(), config.purge().stripTagHeaders(), cache.maxTtl(),
                cache.keyHost().map(String::trim).filter(h -> !h.isEmpty()).map(Producers::keyHost),
                cache.keep(), cache.maxVariants(), routes, config.debugHeaders(), aggregates, compression(config.compress()),
                WarmConfig.settings(config.warm(), cache.keyHost().map(String::trim).filter(h -> !h.isEmpty()).map(Producers::keyHost)));
    }

    @Produces
    @Singleton
    TieredResponses cacheStore(OutriggerConfig config, Clock clock, Meters meters,
                          @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts, Instance<Redis> redis) {
        return build(config, clock, meters, redisHosts, redis).store();
    }

    @Produces
    @Singleton
    StoreStatus storeStatus(OutriggerConfig config, Clock clock, Meters meters,
                            @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts, Instance<Redis> redis) {
        return build(config, clock, meters, redisHosts, redis).status();
    }

    /** Whether QUARKUS_REDIS_HOSTS names a Redis (unset or blank: memory only). */
    private static boolean configured(Optional<String> redisHosts) {
        return redisHosts.filter(h -> !h.isBlank()).isPresent();
    }

    /**
     * The pod's coalescer: with Redis, leases and fill signals there (one fetch per key for the whole
     * deployment); without, within this pod.
     */
    @Produces
    @Singleton
    Coalescer coalescer(OutriggerConfig config, Clock clock, Meters meters, io.vertx.core.Vertx vertx, TieredResponses store,
                        @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts, Instance<Redis> redis) {
        var c = config.coalesce();
        CoalesceSettings settings = new CoalesceSettings(c.enabled(), c.leaseTtl(), c.waitTimeout(), c.hitForMiss(),
                c.earlyRefreshBeta(), c.staleWhileLease(), CoalesceSettings.DEFAULT.random());
        boolean cluster = cluster();
        RedisLeases shared = !configured(redisHosts) ? null
                : cluster ? RedisLeases.cluster(redis.get(), config.keyPrefix(), c.leaseTtl(), config.store().writeTimeout(),
                        config.store().openFor())
                : new RedisLeases(redis.get(), config.keyPrefix(), writeSignals(config), c.leaseTtl(), config.store().writeTimeout(),
                        config.store().openFor());
        Coalescer coalescer = new Coalescer(vertx, shared == null ? Leases.LOCAL : shared, settings, clock,
                meters.coalesceListener(), store);
        if (shared != null) {
            shared.start(); // once the coalescer listens: it is told of the first subscription too
        }
        return coalescer;
    }

    /** The pod's view of whether the application answers, fed by the traffic port's upstream exchanges. */
    @Produces
    @Singleton
    UpstreamHealth upstreamHealth(OutriggerConfig config, Clock clock, Meters meters) {
        var u = config.upstream();
        // a probe that never reports (its client left, it was answered from another's fetch) holds the slot at most
        // this long: the probe interval's cap, or the upstream's own timeouts when they are shorter
        Duration probeTimeout = java.util.Collections.min(List.of(u.probeEveryMax(), u.connectTimeout().plus(u.responseTimeout())));
        return new UpstreamHealth(new UpstreamHealth.Settings(u.failingAfter(), u.failingFor(), u.probeEvery(),
                u.probeEveryMax(), probeTimeout), clock, meters.upstreamListener());
    }

    void closeCoalescer(@Disposes Coalescer coalescer) {
        coalescer.close();
    }

    /**
     * The pod's purges: with Redis, kept in a sorted set there and broadcast on the invalidation channel;
     * without, in this pod only.
     */
    @Produces
    @Singleton
    PurgeBus purgeBus(OutriggerConfig config, Clock clock, Meters meters, io.vertx.core.Vertx vertx,
                      @ConfigProperty(name = "quarkus.redis.hosts") Optional<String> redisHosts, Instance<Redis> redis) {
        var p = config.purge();
        Purges purges = new Purges(clock, p.clockSkew(), config.cache().maxTtl());
        PurgeBus.Listener listener = meters.purgeListener(purges::size);
        if (!configured(redisHosts)) {
            return PurgeBus.local(purges, listener);
        }
        return new RedisPurgeBus(redis.get(), purges, config.keyPrefix(),
                RedisPurgeBus.channel(config.keyPrefix(), p.channel()), p.syncInterval(),
                config.store().writeTimeout(), vertx, clock, listener).start();
    }

    void closePurgeBus(@Disposes PurgeBus bus) {
        bus.close();
    }

    /**
     * No QUARKUS_REDIS_HOSTS: the in-memory store alone. With it: decoded copies in memory (L1) over Redis
     * (L2), Redis behind the fail-open circuit. The Redis client is resolved only then, so an unconfigured
     * one is never built.
     */
    private synchronized Built build(OutriggerConfig config, Clock clock, Meters meters, Optional<String> redisHosts,
                                     Instance<Redis> redis) {
        if (built == null) {
            long l1Bytes = config.cache().l1MaxSize().asLongValue();
            if (!configured(redisHosts)) {
                built = new Built(TieredResponses.memory(l1Bytes, clock), new StoreStatus("memory", Optional::empty, Optional::empty),
                        Optional.empty());
            } else {
                var s = config.store();
                RedisMemory memory = new RedisMemory(redis.get());
                boolean cluster = cluster();
                // on one server each write carries its announcement in the same transaction (the pod's leases go by the same name)
                RedisStore redisStore = cluster ? RedisStore.cluster(redis.get(), config.keyPrefix())
                        : announcingStore() ? RedisStore.announcing(redis.get(), config.keyPrefix(), writeSignals(config))
                        : new RedisStore(redis.get(), config.keyPrefix());
                FailOpenStore l2 = new FailOpenStore(redisStore,
                        s.readTimeout(), s.writeTimeout(), s.failureThreshold(), s.openFor(), clock, meters.storeListener());
                // each event loop's confirmations of its copies go to Redis in batches (on a server that holds every key)
                CacheStore confirming = cluster ? l2 : new BatchedHeads(l2, meters.headBatchListener());
                built = new Built(TieredResponses.over(confirming, l1Bytes, config.cache().l1TtlBound(), clock),
                        new StoreStatus("memory over redis", () -> Optional.of(l2.state()), memory::limits), Optional.of(l2));
                // asked until Redis first answers; one log line then (a warning when it can grow without bound)
                Uni.createFrom().deferred(() -> memory.check(s.writeTimeout().plusSeconds(1)))
                        .map(found -> found.orElseThrow(() -> new IllegalStateException("no answer yet")))
                        .onFailure().retry().withBackOff(Duration.ofSeconds(5), Duration.ofSeconds(60)).indefinitely()
                        .subscribe().with(limits -> { }, failed -> { });
            }
            meters.l1Bytes(built.store()::localBytes);
        }
        return built;
    }

    /**
     * The key host as request authorities are normalised (lowercase, default port dropped), so that purges by
     * URL and the keys they are checked against spell it alike.
     */
    static String keyHost(String configured) {
        return dev.outrigger.policy.RequestTarget.authority(configured, "http").orElseThrow(() -> new ConfigurationException(
                "outrigger.cache.key-host (OUTRIGGER_CACHE_KEY_HOST): '" + configured + "' is not a host[:port]",
                java.util.Set.of("outrigger.cache.key-host")));
    }
}
