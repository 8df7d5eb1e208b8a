package dev.outrigger.aggregate;

import dev.outrigger.rules.PathPattern;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One compiled aggregate: the path it answers and its parts. Immutable, shared by every event loop. */
public final class Aggregate {

    /**
     * One part, compiled.
     *
     * @param index its place in the aggregate's parts
     * @param timeout the longest it is waited for (at most the aggregate's timeout)
     */
    public record Part(int index, String name, PartTemplate url, boolean required, Optional<Duration> ttl, Duration timeout) {
        /** The service an absolute URL names: {@code host[:port]}, plain HTTP; empty for the pod's own application. */
        public Optional<String> originAuthority() {
            return url.origin().map(PartTemplate.Origin::authority);
        }

        public Optional<String> originHost() {
            return url.origin().map(PartTemplate.Origin::host);
        }

        public int originPort() {
            return url.origin().map(PartTemplate.Origin::port).orElse(-1);
        }
    }

    private final int index;
    private final String name;
    private final PathPattern path;
    private final Duration timeout;
    private final int failureStatus;
    private final List<String> headers;
    private final List<String> cookies;
    private final long maxPartSize;
    private final List<Part> parts;

    Aggregate(int index, String name, PathPattern path, Duration timeout, int failureStatus, List<String> headers,
              List<String> cookies, long maxPartSize, List<Part> parts) {
        this.cookies = List.copyOf(cookies);
        this.index = index;
        this.name = name;
        this.path = path;
        this.timeout = timeout;
        this.failureStatus = failureStatus;
        this.headers = List.copyOf(headers);
        this.maxPartSize = maxPartSize;
        this.parts = List.copyOf(parts);
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    PathPattern path() {
        return path;
    }

    public Duration timeout() {
        return timeout;
    }

    public int failureStatus() {
        return failureStatus;
    }

    /** The request headers every part gets, as configured. */
    public List<String> headers() {
        return headers;
    }

    /** The cookies every part gets (only these), as configured. */
    public List<String> cookies() {
        return cookies;
    }

    public long maxPartSize() {
        return maxPartSize;
    }

    public List<Part> parts() {
        return parts;
    }

    @Override
    public String toString() {
        return name;
    }
}
