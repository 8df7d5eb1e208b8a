package dev.outrigger.cache;

import dev.outrigger.aggregate.Aggregates;
import dev.outrigger.policy.CachePolicy;
import dev.outrigger.rules.Routes;
import dev.outrigger.warm.WarmSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the proxy caches, as plain values.
 *
 * @param maxObjectSize largest response body stored; larger ones stream through uncached
 * @param policy heuristics and default stale windows handed to {@link CachePolicy#decide}
 * @param storeSetCookie store responses that set cookies, without their Set-Cookie (never replayed)
 * @param tagHeaders response headers whose values are purge tags
 * @param stripTagHeaders remove those headers from what clients see
 * @param maxTtl the longest an entry is kept, whatever its freshness (purge records are kept this long)
 * @param keyHost the host every key is made with instead of the request's (empty: the request's)
 * @param keep how long past its freshness an entry with a validator is kept for revalidation
 * @param maxVariants the most Vary variants one URL keeps
 * @param routes per-route rules (none: RFC 9111 for every request)
 * @param debugHeaders responses carry their route and key in Cache-Status ({@code key}, {@code detail})
 * @param aggregates fan-out routes whose parts take the cache path (none: no aggregates)
 * @param compression which responses are stored gzip-compressed, and the bound on expanding them
 * @param warm cache warming: the warm list, the learned top targets, the round's interval and bounds
 */
public record CacheSettings(long maxObjectSize, CachePolicy.Settings policy, boolean storeSetCookie, List<String> tagHeaders,
                            boolean stripTagHeaders, Duration maxTtl, Optional<String> keyHost, Duration keep,
                            int maxVariants, Routes routes, boolean debugHeaders, Aggregates aggregates,
                            Compression compression, WarmSettings warm) {

    public static final List<String> TAG_HEADERS = List.of("Surrogate-Key", "Cache-Tag", "xkey");

    public static final CacheSettings DEFAULT = new CacheSettings(8L << 20, CachePolicy.Settings.DEFAULT, false);

    public CacheSettings {
        tagHeaders = List.copyOf(tagHeaders);
    }

    /** Default key host, keep and variant cap. */
    public CacheSettings(long maxObjectSize, CachePolicy.Settings policy, boolean storeSetCookie, List<String> tagHeaders,
                         boolean stripTagHeaders, Duration maxTtl) {
        this(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, Optional.empty(),
                Duration.ofMinutes(10), 32, Routes.NONE, false, Aggregates.NONE,
                Compression.DEFAULT, WarmSettings.OFF);
    }

    /** Default tag handling: the three usual headers, stripped; entries kept at most 7 days. */
    public CacheSettings(long maxObjectSize, CachePolicy.Settings policy, boolean storeSetCookie) {
        this(maxObjectSize, policy, storeSetCookie, TAG_HEADERS, true, Duration.ofDays(7));
    }

    public CacheSettings withKeyHost(String host) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl,
                Optional.of(host), keep, maxVariants, routes, debugHeaders, aggregates, compression, warm);
    }

    public CacheSettings withVariants(Duration keep, int maxVariants) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, keyHost,
                keep, maxVariants, routes, debugHeaders, aggregates, compression, warm);
    }

    public CacheSettings withRoutes(Routes rules, boolean debug) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, keyHost,
                keep, maxVariants, rules, debug, aggregates, compression, warm);
    }

    /** The same, with these aggregates. */
    public CacheSettings withAggregates(Aggregates fanOuts) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, keyHost,
                keep, maxVariants, routes, debugHeaders, fanOuts, compression, warm);
    }

    /** The same, storing bodies as {@code stored} says. */
    public CacheSettings withCompression(Compression stored) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, keyHost,
                keep, maxVariants, routes, debugHeaders, aggregates, stored, warm);
    }

    /** The same, warming as {@code warming} says. */
    public CacheSettings withWarm(WarmSettings warming) {
        return new CacheSettings(maxObjectSize, policy, storeSetCookie, tagHeaders, stripTagHeaders, maxTtl, keyHost,
                keep, maxVariants, routes, debugHeaders, aggregates, compression, warming);
    }
}
