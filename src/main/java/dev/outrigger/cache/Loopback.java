package dev.outrigger.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The way into the cache path from inside this process: an aggregate's part or a warming request is sent as a GET to
 * a loopback listener of this process (the hop), where it takes the path any request takes (route, key, lookup,
 * coalescing, fetch, store, purge). The hop carries a marker saying what it is; the marker holds a random secret of
 * this process, so only this process can make one, and it counts on that listener alone. The proxy removes the marker
 * header from every request, valid or not: the application never sees it.
 */
public final class Loopback {

    public static final String HEADER = "X-Outrigger-Hop";
    /** The listener's address: loopback, the pod's own. */
    public static final String HOST = "127.0.0.1";

    private final String secret;
    private volatile int port = -1;

    public Loopback() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * A hop the marker names: an aggregate's part, or (both indexes -1) a warming request.
     *
     * @param aggregate the aggregate's index
     * @param part the part's index in it
     * @param client the address of the client the aggregate answers (the application sees it as the hop's peer)
     */
    public record Hop(int aggregate, int part, String client) {
        public boolean warming() {
            return aggregate < 0;
        }
    }

    /** The listener is listening on {@code boundPort} (of {@link #HOST}): where hops go. */
    public void listening(int boundPort) {
        this.port = boundPort;
    }

    /** -1 until the listener listens. */
    public int port() {
        return port;
    }

    /** The marker of an aggregate's part: {@code <secret> a=<aggregate> p=<part> for=<client>}. */
    public String partMarker(int aggregate, int part, String client) {
        return secret + " a=" + aggregate + " p=" + part + (client == null ? "" : " for=" + client);
    }

    /** The marker of a warming request: {@code <secret> warm}. */
    public String warmMarker() {
        return secret + " warm";
    }

    /** The hop a marker names, when its secret is this process's; empty for anything else. */
    public Optional<Hop> read(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] fields = value.trim().split(" ");
        if (fields.length < 2 || !MessageDigest.isEqual(fields[0].getBytes(StandardCharsets.US_ASCII),
                secret.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        if (fields.length == 2 && fields[1].equals("warm")) {
            return Optional.of(new Hop(-1, -1, null));
        }
        try {
            int aggregate = -1;
            int part = -1;
            String client = null;
            for (int i = 1; i < fields.length; i++) {
                String f = fields[i];
                if (f.startsWith("a=")) {
                    aggregate = Integer.parseInt(f.substring(2));
                } else if (f.startsWith("p=")) {
                    part = Integer.parseInt(f.substring(2));
                } else if (f.startsWith("for=")) {
                    client = f.substring(4);
                }
            }
            return aggregate < 0 || part < 0 ? Optional.empty() : Optional.of(new Hop(aggregate, part, client));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
