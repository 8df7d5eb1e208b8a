package dev.outrigger.proxy;

import dev.outrigger.aggregate.Aggregate;

/**
 * A request this process sent itself over the loopback listener (its marker checked): an aggregate's part, or a
 * warming request. Keyed and fetched as any request, except that an absolute part URL's service is the upstream, the
 * part's ttl judges what is stored, and the application sees the aggregate's client as the peer; a warming request is
 * not counted as traffic.
 *
 * @param part the aggregate part; null for a warming request
 * @param client the aggregate's client address; null when unknown
 */
record LoopbackHop(Aggregate.Part part, String client) {

    static final LoopbackHop WARMING = new LoopbackHop(null, null);

    /** The part names a service of its own rather than the pod's application. */
    boolean remote() {
        return part != null && part.originAuthority().isPresent();
    }

    boolean warming() {
        return part == null;
    }

    java.util.Optional<java.time.Duration> ttl() {
        return part == null ? java.util.Optional.empty() : part.ttl();
    }
}
