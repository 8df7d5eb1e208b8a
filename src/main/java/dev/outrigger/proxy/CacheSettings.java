package dev.outrigger.proxy;

import dev.outrigger.policy.CachePolicy;

/**
 * How the proxy caches, as plain values.
 *
 * @param maxObjectSize largest response body stored; larger ones stream through uncached
 * @param policy heuristics and default stale windows handed to {@link CachePolicy#decide}
 * @param storeSetCookie store responses that set cookies, without their Set-Cookie (never replayed)
 */
public record CacheSettings(long maxObjectSize, CachePolicy.Settings policy, boolean storeSetCookie) {

    public static final CacheSettings DEFAULT = new CacheSettings(8L << 20, CachePolicy.Settings.DEFAULT, false);
}
