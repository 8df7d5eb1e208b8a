package dev.outrigger.proxy;

import dev.outrigger.aggregate.Aggregate;

/**
 * A request an aggregate of this process sent for one of its parts (its marker checked): keyed and fetched as any
 * request, except that an absolute part URL's service is the upstream, the part's ttl judges what is stored, and the
 * application sees the aggregate's client as the peer.
 *
 * @param client the aggregate's client address; null when unknown
 */
record PartHop(Aggregate.Part part, String client) {

    /** The part names a service of its own rather than the pod's application. */
    boolean remote() {
        return part.originAuthority().isPresent();
    }
}
