package dev.outrigger.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    Session session();

    interface Session {
        /** Off unless configured. */
        @WithDefault("false")
        boolean enabled();

        /** {@code introspection} (RFC 7662) or {@code jwt} (verified locally). */
        @WithDefault("introspection")
        String resolver();

        /**
         * What a request must bring on routes that set no {@code auth}: {@code required} (401 without a valid token,
         * 503 when the resolver cannot say), {@code optional} (forwarded either way) or {@code none}.
         */
        @WithDefault("required")
        String auth();

        /** The header the token comes in; {@code Authorization} means its {@code Bearer} credentials. */
        @WithDefault("Authorization")
        String tokenHeader();

        /** A cookie the token comes in instead of the header. */
        Optional<String> tokenCookie();

        /** The header the application gets the session in, as compact JSON. Client-sent ones are always removed. */
        @WithDefault("X-Session")
        String header();

        /** More headers for the application, from top-level session fields: {@code X-User-Id: sub}. */
        Map<String, String> forwardHeaders();

        /** The longest a session is kept; shorter when the token expires sooner. */
        @WithDefault("5m")
        Duration ttl();

        /** How long a token the resolver rejected is remembered as invalid. */
        @WithDefault("10s")
        Duration negativeTtl();

        /** Request paths (exact) that end the caller's session: it is revoked on every replica as the request goes through. */
        Optional<List<String>> logoutPaths();

        Introspection introspection();

        Jwt jwt();

        interface Jwt {
            /** The JSON Web Key Set the signing keys come from (fetched, cached, refetched for an unknown key). */
            Optional<URI> jwksUrl();

            /** A PEM public key (RSA, EC or Ed25519) instead of a JWKS URL. */
            Optional<String> publicKey();

            /** The expected {@code iss}; unset: not checked. */
            Optional<String> issuer();

            /** The expected {@code aud}; unset: not checked. */
            Optional<String> audience();

            /** Clock skew allowed on {@code exp} and {@code nbf}. */
            @WithDefault("30s")
            Duration leeway();

            /** How long fetched keys are used before the set is fetched again. */
            @WithDefault("10m")
            Duration jwksRefresh();
        }

        interface Introspection {
            /** The RFC 7662 endpoint. */
            Optional<URI> url();

            /** {@code post}: RFC 7662 form with {@code token=}; {@code get}: a GET forwarding the client's Authorization. */
            @WithDefault("post")
            String method();

            /** The member of the answer that is the session; unset: the whole answer. */
            Optional<String> member();

            /** The Authorization this proxy presents to the endpoint (e.g. {@code Basic ...}), from a Secret. Never logged. */
            Optional<String> authorization();

            @WithDefault("2s")
            Duration timeout();
        }
    }

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
    Inject inject();

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
    List<Route> routes();

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

    interface Inject {
        /** The sidecar's image, {@code repository:tag} (or {@code @digest}). */
        @WithDefault("outrigger:0.1.0-jvm")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /**
         * A native sidecar (an init container with {@code restartPolicy: Always}, Kubernetes 1.29+: it starts
         * before the application and stops after it); false: a plain container, for older clusters.
         */
        @WithDefault("true")
        boolean nativeSidecar();

        /** The sidecar's traffic port. */
        @WithDefault("8480")
        int trafficPort();

        /** The sidecar's management port (health, metrics, admin). */
        @WithDefault("9480")
        int managementPort();

        /**
         * The name of the application's container port that Services target: the sidecar takes the name, the
         * application's port is renamed with {@link #appPortSuffix()} (pod annotation {@code outrigger.dev/port-name}).
         */
        @WithDefault("http")
        String portName();

        @WithDefault("-app")
        String appPortSuffix();

        /** Used when the pod names no port (annotation {@code outrigger.dev/upstream-port}) and has none to take over. */
        @WithDefault("8080")
        int defaultUpstreamPort();

        @WithDefault("50m")
        String cpuRequest();

        Optional<String> cpuLimit();

        @WithDefault("128Mi")
        String memoryRequest();

        @WithDefault("256Mi")
        String memoryLimit();

        /** The user the sidecar runs as; unset: the image's own (non-root in every Outrigger image). */
        Optional<Long> runAsUser();

        /** Secret (name, key) holding {@code QUARKUS_REDIS_HOSTS}, e.g. {@code redis://:password@redis:6379}. */
        Optional<SecretRef> redisSecret();

        /** Secret (name, key) holding {@code OUTRIGGER_ADMIN_TOKEN}. */
        Optional<SecretRef> adminTokenSecret();

        /** Secret (name, key) holding {@code OUTRIGGER_KEY_SECRET} (per-user routes with Redis). */
        Optional<SecretRef> keySecret();

        /** More environment for the sidecar ({@code OUTRIGGER_*}, {@code QUARKUS_*}), as plain values. */
        Map<String, String> env();

        /** Seconds the pod is given to stop: the sidecar's drain fits inside it. */
        @WithDefault("30")
        int terminationGracePeriodSeconds();

        interface SecretRef {
            String name();

            String key();
        }
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

    /** One route: which requests it takes, and what the cache does with them. */
    interface Route {
        /** Unique; the {@code route} tag of the requests counter, and what explain and debug headers show. */
        String name();

        Match match();

        /** The lifetime the route gives responses with status 200, 203, 204, 300, 301 or 308, as {@code ttl-mode} says. */
        Optional<Duration> ttl();

        /**
         * {@code respect-origin}: the origin's lifetime, at most {@code ttl}; {@code fallback}: the origin's explicit
         * lifetime if it gives one, else {@code ttl}; {@code override}: {@code ttl} whatever the origin says
         * (no-store and private still refuse storage).
         */
        @WithDefault("respect-origin")
        String ttlMode();

        /** Lifetimes by status code ({@code "404": 30s}), in place of {@code ttl} for that status; {@code 0s}: never stored. */
        Map<String, Duration> statusTtl();

        /** Stale-while-revalidate window for the route's responses, when longer than their own (RFC 5861). */
        Optional<Duration> staleWhileRevalidate();

        /** Stale-if-error window for the route's responses, when longer than their own (RFC 5861). */
        Optional<Duration> staleIfError();

        Key key();

        /** Responses are stored per user, under a keyed hash of this header's or cookie's value. */
        Optional<PerUser> perUser();

        /** Answer from the cache; false: always forwarded (and stored when {@code store} allows). */
        @WithDefault("true")
        boolean lookup();

        /** Store responses; false: never stored (and answered from the cache when {@code lookup} allows). */
        @WithDefault("true")
        boolean store();

        /** Purge tags added to every response the route stores; {@code {name}} is a variable of {@code match.path}. */
        Optional<List<String>> tags();

        /**
         * With sessions on: {@code required} (401 without a valid token), {@code optional} (forwarded either way, with
         * the session when there is one) or {@code none}; unset: {@code outrigger.session.auth}.
         */
        Optional<String> auth();
    }

    /** What a route takes: every given condition must hold. */
    interface Match {
        /** Path glob: {@code *} within one segment, {@code **} any segments, {@code {name}} one segment, captured. */
        Optional<String> path();

        /** Methods (any when unset). */
        Optional<List<String>> methods();

        /** Host glob, without port ({@code *.shop.example}). */
        Optional<String> host();

        /** Request header → {@code "*"} (present) or a regular expression the whole value must match. */
        Map<String, String> headers();
    }

    /** The cache key beyond scheme, host and path. */
    interface Key {
        Query query();

        /** Request headers whose values are part of the key. */
        Optional<List<String>> headers();

        /** Cookies whose values are part of the key: the only cookies forwarded on the route's cached requests. */
        Optional<List<String>> cookies();
    }

    /** Which query parameters the key keeps; the others are not forwarded either. */
    interface Query {
        /** Keep only these (globs). */
        Optional<List<String>> include();

        /** Drop these (globs, {@code utm_*}). */
        Optional<List<String>> exclude();

        /** Drop the whole query. */
        @WithDefault("false")
        boolean ignore();

        /** Order the kept parameters by name (stable): {@code ?b=1&a=2} and {@code ?a=2&b=1} share an entry. */
        @WithDefault("true")
        boolean sort();
    }

    /** The request field that names the user: a header or a cookie. */
    interface PerUser {
        Optional<String> header();

        Optional<String> cookie();

        /** A top-level field of the session the proxy resolved (sessions on), e.g. {@code sub}. */
        Optional<String> session();
    }
}
