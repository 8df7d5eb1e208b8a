package dev.outrigger.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every Outrigger setting, under {@code outrigger.*} (env: {@code OUTRIGGER_*}). The traffic port and
 * host are Quarkus's own {@code quarkus.http.port}/{@code quarkus.http.host}, read by the proxy.
 */
@ConfigMapping(prefix = "outrigger")
public interface OutriggerConfig {

    /**
     * {@code proxy}: the caching sidecar (the traffic port, the cache). {@code injector}: the Kubernetes
     * mutating admission webhook that adds the sidecar to pods ({@code POST /inject} on the Quarkus HTTP port,
     * HTTPS when a certificate is configured); no traffic port, no cache.
     */
    @WithDefault("proxy")
    Mode mode();

    enum Mode { PROXY, INJECTOR }

    /** Auth-session caching: token → session (introspection), handed to the application in X-Session. */
    SessionGroup session();

    /** How the traffic port leaves at shutdown (SIGTERM). */
    Shutdown shutdown();

    interface Shutdown {
        /**
         * After SIGTERM, readiness is down at once but requests are still served this long, while the pod leaves
         * its Services' endpoints.
         */
        @WithDefault("5s")
        Duration delay();

        /**
         * Then new connections are refused and requests in flight get this long to finish before they are cut.
         * delay + grace must fit in the pod's terminationGracePeriodSeconds (the injector and the chart see to it).
         */
        @WithDefault("20s")
        Duration grace();
    }

    /** What the injector adds to pods (injector mode only). */
    InjectGroup inject();

    Upstream upstream();

    Forwarded forwarded();

    Limits limits();

    Readiness readiness();

    Cache cache();

    Store store();

    Coalesce coalesce();

    Admin admin();

    Purging purge();

    /**
     * Per-route rules, in order: the first route whose match holds takes a request; requests no route takes
     * follow RFC 9111 as they are. In YAML ({@code QUARKUS_CONFIG_LOCATIONS} or {@code config/application.yaml})
     * or env ({@code OUTRIGGER_ROUTES_0__TTL}).
     */
    List<RouteGroup> routes();

    /**
     * Fan-out routes: one request answered from several parts fetched in parallel, each through the cache. In YAML
     * or env ({@code OUTRIGGER_AGGREGATES_0__PATH}).
     */
    List<AggregateGroup> aggregates();

    /**
     * The secret that keys the hash standing for a user in per-user cache keys (HMAC-SHA256): the same on every
     * replica, from a Kubernetes Secret, at least 16 characters. Required with Redis when a route is per-user;
     * without Redis a random one is made at start (entries are this pod's alone anyway). Never logged.
     */
    Optional<String> keySecret();

    /**
     * The traffic port's access log (category {@code outrigger.access}, one line per request: method, path, status,
     * cache outcome, route, upstream and total time, bytes, request id): {@code off}, {@code text} or {@code json}.
     */
    @WithDefault("off")
    String accessLog();

    /** Responses carry their route and cache key in Cache-Status ({@code detail}, {@code key}); for debugging only. */
    @WithDefault("false")
    boolean debugHeaders();

    /** Prefix of every key Outrigger writes to Redis; change the version part to start over with a new layout. */
    @WithDefault("orc:v1:")
    String keyPrefix();

    /**
     * Forward TRACE requests; off: they are refused with 405 (TRACE echoes the request, cookies and
     * credentials included, back to whoever can make a browser send it).
     */
    @WithDefault("false")
    boolean allowTrace();

    /** Event-loop threads serving the traffic port; default: one per CPU core. */
    Optional<Integer> ioThreads();

    interface Upstream {
        /** The application container, reached on the pod's loopback. */
        @WithDefault("http://127.0.0.1:8080")
        URI url();

        /** Pooled keep-alive connections to the upstream, per traffic event loop. */
        @WithDefault("256")
        int maxConnections();

        /** Requests waiting for a pooled connection, per event loop; beyond that they get 503. */
        @WithDefault("4096")
        int maxWaitQueue();

        @WithDefault("2s")
        Duration connectTimeout();

        /** Longest silence from the upstream (before its response head, or between body chunks). */
        @WithDefault("60s")
        Duration responseTimeout();

        /** An idle pooled connection is closed after this. */
        @WithDefault("60s")
        Duration keepAliveTimeout();

        /** Forward the client's Host header unchanged (otherwise: the upstream URL's authority). */
        @WithDefault("true")
        boolean preserveHost();

        /**
         * Failed exchanges in a row (refused, reset or timed-out connections, 502/503/504) after which the
         * application counts as failing: stale-if-error copies are then served without asking it.
         */
        @WithDefault("5")
        int failingAfter();

        /**
         * How long those failures in a row must last, with no success in between, before the application counts
         * as failing: one broken route among healthy ones never makes the whole application failing.
         */
        @WithDefault("1s")
        Duration failingFor();

        /** While the application is failing: the wait before the first probe request; doubled after each probe. */
        @WithDefault("1s")
        Duration probeEvery();

        /** The longest wait between probes while the application is failing. */
        @WithDefault("10s")
        Duration probeEveryMax();
    }

    interface Forwarded {
        /**
         * Trust X-Forwarded-* headers from the client: append to X-Forwarded-For and keep an incoming
         * X-Forwarded-Proto/-Host. When false they are overwritten with what this hop saw.
         */
        @WithDefault("false")
        boolean trustIncoming();

        /** The name this hop gives itself in Via (RFC 9110 §7.6.3). */
        @WithDefault("outrigger")
        String via();

        /**
         * Forward X-HTTP-Method-Override, X-HTTP-Method and X-Method-Override (a GET or HEAD carrying one
         * is then not cached). Off: they are removed, since they would let a GET act as another method
         * under a cache key that does not say so.
         */
        @WithDefault("false")
        boolean methodOverride();
    }

    interface Limits {
        /** Longest request line; longer → 414. */
        @WithDefault("8192")
        int maxRequestLine();

        /** Largest request header block; larger → 431. */
        @WithDefault("32768")
        int maxHeaderSize();

        /** Largest request body; larger → 413. */
        @WithDefault("1G")
        MemorySize maxBodySize();

        /** A client connection idle this long is closed. */
        @WithDefault("75s")
        Duration clientIdleTimeout();

        /**
         * The whole request head (request line and headers) must arrive within this, counted from its first
         * byte; otherwise 408 and the connection is closed (slow-header clients). A keep-alive connection
         * waiting for its next request and a slow request body are not subject to it.
         */
        @WithDefault("10s")
        Duration requestHeadTimeout();

        /**
         * Client connections open at once on the traffic port, for the whole pod (all event loops); a
         * connection beyond it gets a one-line 503 and is closed, established ones are served as usual.
         */
        @WithDefault("10000")
        int maxClientConnections();
    }

    /** Compressed storage: compressible responses the upstream sent uncompressed are stored gzip-compressed. */
    CompressGroup compress();

    /** Cache warming: a warm list and the most requested targets, on start and on an interval. */
    WarmGroup warm();

    interface Cache {
        /** Largest response body stored; larger ones stream through uncached. */
        @WithDefault("8M")
        MemorySize maxObjectSize();

        /** Bytes the in-process cache (L1, or the only store without Redis) may hold. */
        @WithDefault("64M")
        MemorySize l1MaxSize();

        /** With Redis: the longest an L1 copy is served before Redis is asked again. */
        @WithDefault("1s")
        Duration l1TtlBound();

        /** Stale-while-revalidate window for responses that name none (RFC 5861). */
        @WithDefault("0s")
        Duration staleWhileRevalidate();

        /** Stale-if-error window for responses that name none (RFC 5861). */
        @WithDefault("0s")
        Duration staleIfError();

        /** Heuristic freshness: this fraction of the time since Last-Modified (RFC 9111 §4.2.2); 0 turns it off. */
        @WithDefault("0.1")
        double heuristicFraction();

        /**
         * Store responses that set cookies, without their Set-Cookie header (the client whose request
         * fetched it still gets it; nobody else ever does). Off: such responses are not stored.
         */
        @WithDefault("false")
        boolean storeResponsesWithSetCookie();

        /** Heuristic freshness is at most this. */
        @WithDefault("24h")
        Duration heuristicMax();

        /** The longest an entry is kept, whatever its freshness; purge records are kept as long. */
        @WithDefault("7d")
        Duration maxTtl();

        /**
         * The host every key is made with, in place of the request's (a Service name that all replicas use,
         * so probes, port-forwards and pod-IP clients share entries). Unset: the request's host.
         */
        Optional<String> keyHost();

        /**
         * How long past its freshness an entry that has a validator (ETag, Last-Modified) is kept, to be
         * revalidated with a conditional request instead of fetched whole. Responses that have a validator
         * but no freshness (no-cache) are stored this long, and revalidated on every use.
         */
        @WithDefault("10m")
        Duration keep();

        /**
         * The most variants (Vary) one URL keeps; a response for one more variant is served but not stored,
         * so a client sending random values of a varied header cannot flood the store.
         */
        @WithDefault("32")
        int maxVariants();
    }

    interface Store {
        /** A Redis read slower than this is a miss. */
        @WithDefault("50ms")
        Duration readTimeout();

        /** A Redis write slower than this is dropped. */
        @WithDefault("250ms")
        Duration writeTimeout();

        /** Consecutive Redis failures that open the circuit (Redis is then skipped). */
        @WithDefault("5")
        int failureThreshold();

        /** How long an open circuit skips Redis before one probe. */
        @WithDefault("5s")
        Duration openFor();
    }

    interface Admin {
        /**
         * Bearer token of the admin API on the management port ({@code Authorization: Bearer <token>}).
         * Unset: every admin call is refused. Never logged.
         */
        Optional<String> token();
    }

    interface Purging {
        /** Response headers whose values (space or comma separated) are purge tags. */
        @WithDefault("Surrogate-Key,Cache-Tag,xkey")
        List<String> tagHeaders();

        /** Remove the tag headers from what clients see. */
        @WithDefault("true")
        boolean stripTagHeaders();

        /**
         * Redis channel on which purges are broadcast, and on which applications may publish their own.
         * Unset: {@code <key-prefix>invalidate} ({@code orc:v1:invalidate}), so deployments sharing one Redis
         * under different key prefixes never apply each other's purges; set the same channel on several
         * deployments to have them hear each other's.
         */
        Optional<String> channel();

        /** How far apart the replicas' clocks may be; entries fetched this long after a purge may still be dropped by it. */
        @WithDefault("100ms")
        Duration clockSkew();

        /** How often each replica reads the purge records from Redis (catching up on any broadcast it missed). */
        @WithDefault("10s")
        Duration syncInterval();
    }

    interface Coalesce {
        /**
         * Concurrent misses for one key share one upstream fetch, in this pod and (with Redis) across all
         * replicas. Off: every miss fetches for itself (background refreshes are still one per key).
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * How long a replica's claim to fetch a key lives in Redis unless renewed (it is, every quarter of
         * this, while the fetch runs): how long the others wait at most when that replica dies mid-fetch.
         */
        @WithDefault("1s")
        Duration leaseTtl();

        /** The longest a request waits for another's fetch; then it fetches for itself. */
        @WithDefault("10s")
        Duration waitTimeout();

        /** A key whose response could not be shared (private, no-store, Set-Cookie, ...) is not coalesced for this long. */
        @WithDefault("10s")
        Duration hitForMiss();

        /**
         * Probabilistic early refresh (XFetch): a hit refreshes its entry in the background with a probability
         * that rises as expiry nears, scaled by how long the last fetch took; larger refreshes earlier, 0 turns it off.
         */
        @WithDefault("1.0")
        double earlyRefreshBeta();

        /**
         * While another request (in any replica) refreshes a stale entry, serve the stale copy rather than
         * wait, unless the response or the request forbids stale (must-revalidate, no-cache, max-age, ...).
         */
        @WithDefault("true")
        boolean staleWhileLease();
    }

    interface Readiness {
        /** Readiness reports DOWN while the upstream does not answer. */
        @WithDefault("true")
        boolean checkUpstream();

        /** Path probed with GET (any status below 500 is ready); unset: a TCP connect is enough. */
        Optional<String> upstreamPath();

        @WithDefault("1s")
        Duration timeout();
    }

}
