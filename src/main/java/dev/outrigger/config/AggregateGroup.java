package dev.outrigger.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One of {@code outrigger.aggregates}: a fan-out route as configured (a group of {@link OutriggerConfig}, in a file of its own). */
public interface AggregateGroup {
    /** Unique; the {@code aggregate} tag of its meters. */
    String name();

    /** The path it answers, a route path glob: {@code /bff/users/{id}/profile}. */
    String path();

    /** The longest the client waits for all the parts. */
    @WithDefault("1s")
    Duration timeout();

    /** The status when a required part failed (the body is the same: the parts that succeeded and {@code _meta}). */
    @WithDefault("502")
    int failureStatus();

    /**
     * Request headers every part gets ({@code Authorization}, {@code Accept-Language}, {@code Cookie}); {@code X-Session}
     * (with sessions on) forwards the session token, so each part gets its session from its own session step.
     */
    Optional<List<String>> headers();

    /** Cookies every part gets, only these ({@code Cookie} in {@code headers} forwards them all). */
    Optional<List<String>> cookies();

    /** The largest part body taken; a larger one is a failed part. */
    @WithDefault("1M")
    io.quarkus.runtime.configuration.MemorySize maxPartSize();

    /** The parts, by name: each name is a member of the response. */
    @WithName("parts")
    Map<String, Part> parts();

    /** One part. */
    interface Part {
        /** Relative (the pod's application) or {@code http://service:port/...}; {@code {var}} from the path or the query. */
        String url();

        /** The aggregate fails when this part does. */
        @WithDefault("false")
        boolean required();

        /** How long what its fetches store lives, whatever the origin says; unset: the route's and the origin's say. */
        Optional<Duration> ttl();

        /** The longest the part is waited for; unset: the aggregate's timeout. */
        Optional<Duration> timeout();
    }
}
