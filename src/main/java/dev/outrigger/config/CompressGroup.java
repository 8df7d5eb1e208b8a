package dev.outrigger.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import java.util.List;

/** {@code outrigger.compress}: compressed storage (a group of {@link OutriggerConfig}, in a file of its own). */
public interface CompressGroup {
    @WithDefault("true")
    boolean enabled();

    /** Content types stored compressed; {@code *} matches within the type ({@code text/*}, {@code application/*+json}). */
    @WithDefault("text/*,application/json,application/*+json,application/javascript,application/xml,application/*+xml,image/svg+xml")
    List<String> types();

    /** The smallest body compressed. */
    @WithDefault("1K")
    MemorySize minSize();

    /** The most a stored body may expand to when decompressed for a client; past it, the entry is not served. */
    @WithDefault("16M")
    MemorySize maxExpandedSize();

    /** gzip level: 1 (fastest) to 9 (smallest). */
    @WithDefault("6")
    int level();
}
