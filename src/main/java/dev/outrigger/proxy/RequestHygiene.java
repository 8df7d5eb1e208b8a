package dev.outrigger.proxy;

import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.cache.Loopback;
import dev.outrigger.policy.RequestTarget;
import dev.outrigger.rules.KeyComponent;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks and clean-up every request goes through before anything reads it (DESIGN rule 15: strip
 * what you do not key, key what you forward): request framing (RFC 9112 §3.2), the methods a reverse
 * proxy refuses, and the client-sent headers that would change the upstream's answer without being part
 * of the cache key. Removes those headers from the request in place.
 */
final class RequestHygiene {

    /** Headers that rewrite the URL an application serves; no client may send them through a cache. */
    static final Set<String> URL_OVERRIDES = Set.of("x-original-url", "x-original-uri", "x-rewrite-url", "x-original-host",
            "x-host");

    /** Scheme and host hints outside the X-Forwarded-* family that frameworks read; treated as forwarding headers. */
    static final Set<String> OTHER_FORWARDING = Set.of("x-forwarded", "x-scheme", "x-url-scheme", "front-end-https");

    /** Headers that turn a request into another method in many frameworks. */
    static final Set<String> METHOD_OVERRIDES = Set.of("x-http-method-override", "x-http-method", "x-method-override");

    /** Forwarding headers that name the client's address: kept under trust, never keyed (nothing shared would remain). */
    static final Set<String> CLIENT_ADDRESS = Set.of("x-forwarded-for", "x-real-ip", "true-client-ip", "x-client-ip",
            "x-cluster-client-ip");

    /** What a request becomes: forwarded as {@link Inbound}, or refused. */
    sealed interface Verdict permits Accepted, Rejected {}

    record Accepted(Inbound inbound) implements Verdict {}

    record Rejected(int status, String reason) implements Verdict {}

    private final boolean trustForwarded;
    private final boolean allowTrace;
    private final boolean allowMethodOverride;
    private final Optional<String> keyHost;
    private final Loopback channel;
    private final Aggregates aggregates;

    /**
     * {@code keyHost}: the one authority every request is keyed and forwarded under, when configured; {@code channel}:
     * the one this process's aggregates send their parts over.
     */
    RequestHygiene(boolean trustForwarded, boolean allowTrace, boolean allowMethodOverride, Optional<String> keyHost,
                   Loopback channel, Aggregates aggregates) {
        this.channel = channel;
        this.aggregates = aggregates;
        this.trustForwarded = trustForwarded;
        this.allowTrace = allowTrace;
        this.allowMethodOverride = allowMethodOverride;
        this.keyHost = keyHost;
    }

    /** {@code viaHop}: the request came in on the parts' loopback listener, where alone a marker counts. */
    Verdict check(HttpServerRequest req, RequestTrace trace, boolean viaHop) {
        MultiMap in = req.headers();
        HttpMethod method = req.method();
        if (method == HttpMethod.CONNECT) {
            return new Rejected(405, "CONNECT is not supported by a reverse proxy");
        }
        if (method == HttpMethod.TRACE && !allowTrace) {
            // RFC 9110 §9.3.8: TRACE reflects the request, credentials included, into a response
            return new Rejected(405, "TRACE is disabled");
        }
        // RFC 9110 §7.6.1: fields the Connection header names are not forwarded; they go now, so that the
        // key, Vary and the forwarded request all see the same headers. Host cannot be one of them.
        Set<String> named = HeaderRules.connectionTokens(in);
        if (named.contains("host")) {
            return new Rejected(400, "Connection names Host");
        }
        for (String name : named) {
            // Upgrade and TE are hop-by-hop fields the copy to the upstream handles itself (tunnels, TE: trailers)
            if (!name.equals("upgrade") && !name.equals("te")) {
                in.remove(name);
            }
        }
        if (isH2c(in)) {
            // An h2c upgrade would hand the rest of the connection to the application unchecked: the request
            // is served as the HTTP/1.1 request it also is (RFC 9113 §3.1 lets a server ignore the upgrade).
            in.remove(HttpHeaders.UPGRADE);
            in.remove("HTTP2-Settings");
        }
        LoopbackHop hop = hop(req, viaHop);
        if (viaHop && hop == null) {
            return new Rejected(403, "the loopback listener takes this process's own requests only");
        }
        if (hop != null && hop.warming()) {
            trace.uncounted(); // not user traffic: the hit ratio stays the clients'
        }
        String scheme = req.scheme() == null ? "http" : req.scheme().toLowerCase(Locale.ROOT);
        List<String> hosts = in.getAll(HttpHeaders.HOST);
        if (hosts.size() > 1) {
            return new Rejected(400, "more than one Host header"); // RFC 9112 §3.2
        }
        if (hosts.isEmpty() && req.version() != HttpVersion.HTTP_1_0) {
            return new Rejected(400, "missing Host header"); // RFC 9112 §3.2
        }
        String authority = "";
        if (!hosts.isEmpty()) {
            Optional<String> host = RequestTarget.authority(hosts.get(0).trim(), scheme);
            if (host.isEmpty()) {
                return new Rejected(400, "invalid Host header");
            }
            authority = host.get();
        }
        String uri = req.uri();
        String target;
        if (uri.equals("*") && method == HttpMethod.OPTIONS) {
            target = uri;
        } else {
            Optional<RequestTarget.Absolute> absolute = RequestTarget.absolute(uri);
            if (absolute.isPresent()) {
                // RFC 9112 §3.2.2: an absolute-form target's authority wins over Host
                Optional<String> a = RequestTarget.authority(absolute.get().authority(), absolute.get().scheme());
                if (a.isEmpty() || !absolute.get().scheme().equals("http") && !absolute.get().scheme().equals("https")) {
                    return new Rejected(400, "invalid absolute request target");
                }
                authority = a.get();
                uri = absolute.get().pathAndQuery();
            }
            Optional<String> normalized = RequestTarget.normalize(uri);
            if (normalized.isEmpty()) {
                return new Rejected(400, "invalid request target");
            }
            target = normalized.get();
        }
        boolean remote = hop != null && hop.remote();
        if (remote) {
            // a part of another service: keyed under that service's name, whatever the Host or the key host
            scheme = "http";
            authority = hop.part().originAuthority().get();
        } else if (keyHost.isPresent()) {
            authority = keyHost.get(); // keyed and forwarded under the one name every replica uses
        }
        if (!authority.isEmpty()) {
            in.set(HttpHeaders.HOST, authority); // forwarded as keyed
        }
        stripUnderscoreSpellings(in);
        boolean override = false;
        for (String name : METHOD_OVERRIDES) {
            if (allowMethodOverride) {
                override |= in.contains(name);
            } else {
                in.remove(name);
            }
        }
        URL_OVERRIDES.forEach(in::remove);
        List<KeyComponent> keyParts = trustForwarded ? trustedParts(in) : stripForwarding(in);
        if (remote) {
            // keyed apart from any client request naming that host: only a hop fills a remote part's entry
            keyParts = new ArrayList<>(keyParts);
            keyParts.add(KeyComponent.of(KeyComponent.Kind.ORIGIN, "part-origin", authority));
        }
        return new Accepted(new Inbound(scheme, authority, target, keyParts, hasBody(in), override, trace, hop));
    }

    /**
     * The part an aggregate of this process sent this request for, when its marker says so; the marker header goes
     * from every request, whoever sent it, so the application never sees one.
     */
    private LoopbackHop hop(HttpServerRequest req, boolean viaHop) {
        if (!req.headers().contains(Loopback.HEADER)) {
            return null;
        }
        List<String> markers = req.headers().getAll(Loopback.HEADER);
        req.headers().remove(Loopback.HEADER);
        if (!viaHop || channel == null || markers.size() != 1 || req.method() != HttpMethod.GET) {
            return null;
        }
        return channel.read(markers.get(0))
                .flatMap(h -> h.warming() ? java.util.Optional.of(LoopbackHop.WARMING)
                        : aggregates.part(h.aggregate(), h.part()).map(p -> new LoopbackHop(p, h.client())))
                .orElse(null);
    }

    /**
     * CGI-style servers (and the frameworks on them) read {@code _} in a header name as {@code -}: to them
     * {@code X_Forwarded_Host} is {@code X-Forwarded-Host}. Such a spelling of a forwarding, URL-override or
     * method-override header is removed, trusted or not (an ingress sets the {@code -} spellings), so that no
     * client can send one past the checks above. Names without {@code _} (nearly all) cost one scan.
     */
    private static void stripUnderscoreSpellings(MultiMap in) {
        List<String> names = null;
        for (var e : in) {
            String name = e.getKey();
            if (name.indexOf('_') < 0) {
                continue;
            }
            String canonical = name.toLowerCase(Locale.ROOT).replace('_', '-');
            if (isForwarding(canonical) || URL_OVERRIDES.contains(canonical) || METHOD_OVERRIDES.contains(canonical)) {
                if (names == null) {
                    names = new ArrayList<>();
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(in::remove);
        }
    }

    /** Untrusted: every client-sent forwarding header goes; {@link ForwardedHeaders} sets this hop's own. */
    private static List<KeyComponent> stripForwarding(MultiMap in) {
        List<String> names = null;
        for (var e : in) {
            String name = e.getKey();
            if (mayBeForwarding(name) && isForwarding(name.toLowerCase(Locale.ROOT))) {
                if (names == null) {
                    names = new ArrayList<>();
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(in::remove);
        }
        return List.of();
    }

    /**
     * Trusted (behind an ingress that sets them): the forwarding headers are kept, and every one that can
     * change what the application answers (scheme, host, port, prefix) becomes part of the key. Client
     * addresses (and Forwarded's {@code for}/{@code by}) are not keyed.
     */
    static List<KeyComponent> trustedParts(MultiMap in) {
        TreeSet<String> names = new TreeSet<>();
        for (var e : in) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (isForwarding(name) && !CLIENT_ADDRESS.contains(name)) {
                names.add(name);
            }
        }
        List<KeyComponent> parts = new ArrayList<>();
        for (String name : names) {
            String value = String.join(", ", in.getAll(name));
            parts.add(KeyComponent.of(KeyComponent.Kind.FORWARDED, name,
                    name.equals("forwarded") ? ForwardedHeaders.hostAndProto(value) : value));
        }
        return parts;
    }

    /** The first letters (lowercase) forwarding header names start with, from the sets above ("forwarded" and x-forwarded-* included). */
    private static final String FORWARDING_INITIALS = java.util.stream.Stream.of(Set.of("forwarded", "x-forwarded-"),
                    CLIENT_ADDRESS, OTHER_FORWARDING).flatMap(Set::stream).map(n -> n.substring(0, 1)).distinct()
            .collect(java.util.stream.Collectors.joining());

    /** Whether a header name can be a forwarding header at all, by its first letter: most names are let through without a lowercase copy. */
    private static boolean mayBeForwarding(String name) {
        return !name.isEmpty() && FORWARDING_INITIALS.indexOf(Character.toLowerCase(name.charAt(0))) >= 0;
    }

    static boolean isForwarding(String lowercaseName) {
        return lowercaseName.equals("forwarded") || lowercaseName.startsWith("x-forwarded-")
                || CLIENT_ADDRESS.contains(lowercaseName) || OTHER_FORWARDING.contains(lowercaseName);
    }

    private static boolean isH2c(MultiMap in) {
        if (!in.contains(HttpHeaders.UPGRADE)) {
            return false;
        }
        for (String upgrade : in.getAll(HttpHeaders.UPGRADE)) {
            if (HeaderRules.hasToken(upgrade, "h2c")) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9112 §6.3: a request has a body when it declares a non-zero length or a transfer coding. */
    static boolean hasBody(MultiMap headers) {
        return headers.contains(HttpHeaders.TRANSFER_ENCODING) || HeaderRules.contentLength(headers) > 0;
    }
}
