package dev.outrigger.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code outrigger.warm}: cache warming (a group of {@link OutriggerConfig}, in a file of its own). */
public interface WarmGroup {
    /** Off by default: warming sends requests to the application nobody asked for. */
    @WithDefault("false")
    boolean enabled();

    /** The warm list: paths with their query ({@code /api/products?page=1}), or absolute http URLs. */
    Optional<List<String>> urls();

    /** The longer form, for URLs that need headers of their own ({@code Accept-Language: fr}). */
    List<Request> requests();

    /** The Host warm-list paths are asked for under; unset: {@code outrigger.cache.key-host}. */
    Optional<String> host();

    /** How many of the most requested targets (learned from traffic, counts decaying) each run adds. */
    @WithDefault("0")
    int top();

    /** How often a round starts; with Redis one replica per round warms. */
    @WithDefault("5m")
    Duration interval();

    /** Warm once at start-up, as soon as the application accepts connections. */
    @WithDefault("true")
    boolean atStart();

    /** Entries with less freshness left than this are refreshed; unset: the interval (nothing expires before the next round). */
    Optional<Duration> refreshWithin();

    /** Warming requests per second, at most. */
    @WithDefault("10")
    int rate();

    /** Warming requests in flight at once, at most. */
    @WithDefault("2")
    int concurrency();

    /** The Accept-Encoding warming requests send: the variant warmed where the application varies on it. */
    @WithDefault("gzip, deflate, br, zstd")
    String acceptEncoding();

    /** The longest one warming request may take. */
    @WithDefault("10s")
    Duration timeout();

    /** One warm-list entry in the longer form. */
    interface Request {
        String url();

        Map<String, String> headers();
    }
}
