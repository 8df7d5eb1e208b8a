package dev.outrigger.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Via (RFC 9110 §7.6.3), Forwarded (RFC 7239) and the de-facto X-Forwarded-* headers this hop adds. The
 * client's own were already removed by {@link RequestHygiene} unless they are trusted.
 */
final class ForwardedHeaders {

    static final String VIA = "Via";
    static final String FORWARDED = "Forwarded";
    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";

    private final boolean trustIncoming;
    private final String via10;
    private final String via11;

    ForwardedHeaders(boolean trustIncoming, String viaName) {
        this.trustIncoming = trustIncoming;
        this.via10 = "1.0 " + viaName;
        this.via11 = "1.1 " + viaName;
    }

    /**
     * Adds this hop to a request on its way upstream; {@code out} already holds the client's end-to-end
     * headers (forwarding ones only when trusted).
     */
    void addToRequest(HttpServerRequest req, Inbound inbound, MultiMap out) {
        MultiMap in = req.headers();
        appendVia(req.version(), out);
        // a part an aggregate sent over the hop: the aggregate's client is the peer the application sees
        String peer = inbound.hop() != null && inbound.hop().client() != null ? inbound.hop().client()
                : req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        String xff = in.get(X_FORWARDED_FOR);
        if (peer != null) {
            out.set(X_FORWARDED_FOR, trustIncoming && xff != null ? xff + ", " + peer : peer);
        } else if (!trustIncoming) {
            out.remove(X_FORWARDED_FOR);
        }
        String proto = in.get(X_FORWARDED_PROTO);
        out.set(X_FORWARDED_PROTO, trustIncoming && proto != null ? proto : inbound.scheme());
        String fwdHost = in.get(X_FORWARDED_HOST);
        if (trustIncoming && fwdHost != null) {
            out.set(X_FORWARDED_HOST, fwdHost);
        } else if (!inbound.authority().isEmpty()) {
            out.set(X_FORWARDED_HOST, inbound.authority());
        } else {
            out.remove(X_FORWARDED_HOST);
        }
        String element = element(peer, inbound);
        String incoming = String.join(", ", in.getAll(FORWARDED));
        out.set(FORWARDED, trustIncoming && !incoming.isBlank() ? incoming + ", " + element : element);
    }

    /** This hop's Forwarded element (RFC 7239 §4): who asked, for which host, over which scheme. */
    private static String element(String peer, Inbound inbound) {
        StringBuilder sb = new StringBuilder();
        if (peer != null) {
            // §6: IPv6 addresses are quoted and bracketed
            sb.append("for=").append(peer.indexOf(':') >= 0 ? "\"[" + peer + "]\"" : peer).append(';');
        }
        if (!inbound.authority().isEmpty()) {
            sb.append("host=").append(quoteIfNeeded(inbound.authority())).append(';');
        }
        return sb.append("proto=").append(inbound.scheme()).toString();
    }

    /**
     * The {@code host} and {@code proto} parameters of a Forwarded value, in order (what may change the
     * application's answer); {@code for} and {@code by} name addresses and are left out.
     */
    static String hostAndProto(String value) {
        List<String> kept = new ArrayList<>();
        for (String element : value.split(",")) {
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    if (name.equals("host") || name.equals("proto")) {
                        kept.add(name + "=" + pair.substring(eq + 1).trim());
                    }
                }
            }
        }
        return String.join(";", kept);
    }

    private static String quoteIfNeeded(String value) {
        return value.indexOf(':') >= 0 || value.indexOf('[') >= 0 ? "\"" + value + "\"" : value;
    }

    /** Adds this hop to a response on its way to the client. */
    void addToResponse(HttpVersion upstreamVersion, MultiMap out) {
        appendVia(upstreamVersion, out);
    }

    /** {@code out} already holds the Via values copied from the received message; this hop goes last. */
    private void appendVia(HttpVersion received, MultiMap out) {
        String hop = received == HttpVersion.HTTP_1_0 ? via10 : via11;
        var existing = out.getAll(VIA);
        out.set(VIA, existing.isEmpty() ? hop : String.join(", ", existing) + ", " + hop);
    }
}
