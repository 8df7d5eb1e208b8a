package dev.outrigger.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the traffic side needs to know, as plain values. Built from the config tree by a producer,
 * or directly by tests.
 *
 * @param port traffic port; 0 binds a random free port (see {@link ProxyServer#port()})
 * @param maxBodySize largest request body forwarded, in bytes
 * @param requestHeadTimeout the longest a request head may take to arrive, from its first byte (then 408)
 * @param maxClientConnections client connections open at once on the traffic port, across all its event loops
 * @param allowTrace forward TRACE instead of refusing it
 * @param allowMethodOverride forward method-override headers (such GETs are then not cached)
 */
public record ProxySettings(
        String host,
        int port,
        int eventLoops,
        URI upstream,
        int maxUpstreamConnections,
        int maxUpstreamWaitQueue,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration keepAliveTimeout,
        boolean preserveHost,
        boolean trustForwarded,
        String viaName,
        int maxRequestLine,
        int maxHeaderSize,
        long maxBodySize,
        Duration clientIdleTimeout,
        Duration requestHeadTimeout,
        int maxClientConnections,
        boolean allowTrace,
        boolean allowMethodOverride,
        String accessLog) {

    public ProxySettings {
        Objects.requireNonNull(upstream, "upstream");
        String scheme = upstream.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || upstream.getHost() == null) {
            throw new IllegalArgumentException("upstream URL must be http://host[:port] or https://host[:port], got " + upstream);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("io-threads must be at least 1, got " + eventLoops);
        }
        if (requestHeadTimeout.isNegative() || requestHeadTimeout.isZero()) {
            throw new IllegalArgumentException("request-head-timeout must be positive, got " + requestHeadTimeout);
        }
        if (!java.util.Set.of("off", "text", "json").contains(accessLog.trim().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("access-log must be off, text or json, got " + accessLog);
        }
        if (maxClientConnections < 1) {
            throw new IllegalArgumentException("max-client-connections must be at least 1, got " + maxClientConnections);
        }
    }

    /** The same settings with the traffic port's access log {@code off}, {@code text} or {@code json}. */
    public ProxySettings withAccessLog(String format) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue, connectTimeout,
                responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine, maxHeaderSize,
                maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace, allowMethodOverride, format);
    }

    /** Defaults as documented in the README, for the given upstream; tests tweak them with the withers. */
    public static ProxySettings defaults(URI upstream) {
        return new ProxySettings("127.0.0.1", 0, 1, upstream, 256, 4096, Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofSeconds(60), true, false, "outrigger", 8192, 32768, 1L << 30, Duration.ofSeconds(75),
                Duration.ofSeconds(10), 10_000, false, false, "off");
    }

    boolean upstreamTls() {
        return "https".equals(upstream.getScheme());
    }

    int upstreamPort() {
        int p = upstream.getPort();
        return p > 0 ? p : upstreamTls() ? 443 : 80;
    }

    /** The upstream's authority, as a Host header value. */
    String upstreamAuthority() {
        return upstream.getPort() > 0 ? upstream.getHost() + ":" + upstream.getPort() : upstream.getHost();
    }

    public ProxySettings withTimeouts(Duration connect, Duration response) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue, connect,
                response, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine, maxHeaderSize,
                maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace,
                allowMethodOverride, accessLog);
    }

    public ProxySettings withLimits(int requestLine, int headerSize, long bodySize) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue,
                connectTimeout, responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, requestLine,
                headerSize, bodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace,
                allowMethodOverride, accessLog);
    }

    public ProxySettings withPool(int maxConnections, int maxWaitQueue) {
        return new ProxySettings(host, port, eventLoops, upstream, maxConnections, maxWaitQueue, connectTimeout,
                responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine, maxHeaderSize,
                maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace,
                allowMethodOverride, accessLog);
    }

    /** TRACE forwarded instead of refused; method-override headers forwarded (such GETs are not cached). */
    public ProxySettings withMethods(boolean trace, boolean methodOverride) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue,
                connectTimeout, responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine,
                maxHeaderSize, maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, trace,
                methodOverride, accessLog);
    }

    public ProxySettings withForwarding(boolean trust, boolean keepHost) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue,
                connectTimeout, responseTimeout, keepAliveTimeout, keepHost, trust, viaName, maxRequestLine,
                maxHeaderSize, maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace,
                allowMethodOverride, accessLog);
    }

    /** The slow-client guards: the request-head deadline and the pod's cap on open client connections. */
    public ProxySettings withClientGuards(Duration headTimeout, int maxConnections) {
        return new ProxySettings(host, port, eventLoops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue,
                connectTimeout, responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine,
                maxHeaderSize, maxBodySize, clientIdleTimeout, headTimeout, maxConnections, allowTrace, allowMethodOverride, accessLog);
    }

    public ProxySettings withEventLoops(int loops) {
        return new ProxySettings(host, port, loops, upstream, maxUpstreamConnections, maxUpstreamWaitQueue,
                connectTimeout, responseTimeout, keepAliveTimeout, preserveHost, trustForwarded, viaName, maxRequestLine,
                maxHeaderSize, maxBodySize, clientIdleTimeout, requestHeadTimeout, maxClientConnections, allowTrace,
                allowMethodOverride, accessLog);
    }
}
