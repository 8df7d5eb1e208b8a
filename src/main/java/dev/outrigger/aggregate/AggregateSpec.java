package dev.outrigger.aggregate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One aggregate as configured, plain values; {@link Aggregates#compile} checks and compiles it.
 *
 * @param name unique; the {@code aggregate} tag of its meters
 * @param path the path it answers (a route path glob; {@code {name}} captures a segment)
 * @param timeout the longest the client waits for the parts, all together
 * @param failureStatus the status when a required part failed
 * @param headers request headers forwarded to every part
 * @param cookies cookies forwarded to every part (only these, in a Cookie header of their own)
 * @param maxPartSize the largest part body taken, in bytes
 * @param parts its parts, in the order configured
 */
public record AggregateSpec(String name, String path, Duration timeout, int failureStatus, List<String> headers,
                            List<String> cookies, long maxPartSize, List<Part> parts) {

    public AggregateSpec {
        headers = List.copyOf(headers);
        cookies = List.copyOf(cookies);
        parts = List.copyOf(parts);
    }

    /** Forwarding no cookies. */
    public AggregateSpec(String name, String path, Duration timeout, int failureStatus, List<String> headers, long maxPartSize,
                         List<Part> parts) {
        this(name, path, timeout, failureStatus, headers, List.of(), maxPartSize, parts);
    }

    /**
     * @param name the member of the response it fills
     * @param url relative (the pod's application) or absolute ({@code http://service:port/...}); {@code {var}} is a
     *     variable of the aggregate's path or a parameter of its query
     * @param required the aggregate fails (its {@code failureStatus}) when this part does
     * @param ttl how long what its fetches store lives, whatever the origin says (no-store and private still refuse);
     *     empty: as the part's route and the origin say
     * @param timeout the longest the part is waited for; empty: the aggregate's timeout
     */
    public record Part(String name, String url, boolean required, Optional<Duration> ttl, Optional<Duration> timeout) {}
}
