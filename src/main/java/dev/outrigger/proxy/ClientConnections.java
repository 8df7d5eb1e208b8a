package dev.outrigger.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pod's count of open client connections on the traffic port, shared by all its event loops, and the
 * cap on it. Lock-free: every event loop opens and closes connections on its own thread.
 */
final class ClientConnections {

    private final AtomicInteger open = new AtomicInteger();
    private final int max;

    ClientConnections(int max) {
        this.max = max;
    }

    /** Counts a new connection in, unless the cap is reached (then nothing is counted). */
    boolean tryOpen() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A connection counted in by {@link #tryOpen()} has closed. */
    void closed() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }
}
