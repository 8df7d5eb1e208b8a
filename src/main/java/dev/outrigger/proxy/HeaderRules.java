package dev.outrigger.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;

/** Which headers an intermediary forwards (RFC 9110 §7.6.1). */
final class HeaderRules {

    /** Connection-specific fields, never forwarded (RFC 9110 §7.6.1, RFC 9112 §9.6). */
    static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "proxy-authenticate", "proxy-authorization");

    private HeaderRules() {}

    /**
     * Copies {@code from} into {@code to} minus hop-by-hop fields, the fields the Connection header names,
     * and {@code Proxy-*}/{@code Proxy} (httpoxy). With {@code keepUpgrade} the Upgrade/Connection pair
     * survives (an upgrade being tunnelled). {@code TE: trailers} survives since trailers are passed
     * through (gRPC needs it).
     */
    static void copyEndToEnd(MultiMap from, MultiMap to, boolean keepUpgrade) {
        Set<String> named = connectionTokens(from);
        for (var e : from) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || named.contains(name) || name.startsWith("proxy-") || name.equals("proxy")) {
                continue;
            }
            to.add(e.getKey(), e.getValue());
        }
        if (keepUpgrade) {
            String upgrade = from.get(HttpHeaders.UPGRADE);
            if (upgrade != null) {
                to.set(HttpHeaders.UPGRADE, upgrade);
                to.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
            }
        }
    }

    /** Keeps {@code TE: trailers} on a request whose client asked for it (RFC 9110 §10.1.4). */
    static void copyTeTrailers(MultiMap from, MultiMap to) {
        for (String te : from.getAll(HttpHeaderNames.TE)) {
            if (hasToken(te, "trailers")) {
                to.set(HttpHeaderNames.TE, "trailers");
                return;
            }
        }
    }

    /** The lowercase field names listed in every Connection header (RFC 9110 §7.6.1). */
    static Set<String> connectionTokens(MultiMap headers) {
        if (!headers.contains(HttpHeaders.CONNECTION)) {
            return Set.of();
        }
        var values = headers.getAll(HttpHeaders.CONNECTION);
        var tokens = new java.util.HashSet<String>();
        for (String v : values) {
            for (String t : v.split(",")) {
                String token = t.trim().toLowerCase(Locale.ROOT);
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        return tokens;
    }

    /** True when the comma-separated list {@code value} contains {@code token}, case-insensitively. */
    static boolean hasToken(String value, String token) {
        if (value == null) {
            return false;
        }
        for (String t : value.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** An HTTP/1.1 protocol upgrade: Connection names "upgrade" and an Upgrade header is present (RFC 9110 §7.8). */
    static boolean isUpgrade(MultiMap headers) {
        return headers.contains(HttpHeaders.UPGRADE) && connectionTokens(headers).contains("upgrade");
    }

    /** The declared body length, or -1 when there is none (the decoder already rejected malformed and conflicting values). */
    static long contentLength(MultiMap headers) {
        String value = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
