package dev.outrigger.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One route as configured ({@code outrigger.routes[i]}), before it is checked and compiled by
 * {@link Routes#compile}. Plain values: the config package fills them from SmallRye Config, tests directly.
 *
 * @param name the route's name (metrics tag, explain, debug headers)
 * @param match which requests it applies to
 * @param ttl the lifetime the route gives responses, as {@code ttlMode} says
 * @param ttlMode {@code respect-origin}, {@code fallback} or {@code override}
 * @param statusTtl lifetimes per status code ("404" → 30s), in place of {@code ttl} for that status; 0: never stored
 * @param staleWhileRevalidate stale-while-revalidate window for the route's responses (RFC 5861)
 * @param staleIfError stale-if-error window for the route's responses (RFC 5861)
 * @param key what the cache key is made of, beyond scheme, host and path
 * @param perUser the request field that names the user: responses are stored per user
 * @param lookup answer from the cache (false: always forwarded)
 * @param store store responses (false: never stored)
 * @param tags purge tags the route adds to every response it stores ({@code product:{id}})
 * @param auth what a request needs when sessions are on: {@code required}, {@code optional}, {@code none};
 *     empty: the sessions' default
 */
public record RouteSpec(String name, Match match, Optional<Duration> ttl, String ttlMode, Map<String, Duration> statusTtl,
                        Optional<Duration> staleWhileRevalidate, Optional<Duration> staleIfError, Key key,
                        Optional<PerUser> perUser, boolean lookup, boolean store, List<String> tags,
                        Optional<String> auth) {

    public RouteSpec {
        statusTtl = Map.copyOf(statusTtl);
        tags = List.copyOf(tags);
    }

    /** A route that only matches: RFC 9111 behaviour, no key changes. */
    public static RouteSpec named(String name, String path) {
        return new RouteSpec(name, Match.path(path), Optional.empty(), "respect-origin", Map.of(), Optional.empty(),
                Optional.empty(), Key.NONE, Optional.empty(), true, true, List.of(), Optional.empty());
    }

    public RouteSpec withTtl(Duration ttl, String mode) {
        return new RouteSpec(name, match, Optional.of(ttl), mode, statusTtl, staleWhileRevalidate, staleIfError, key, perUser,
                lookup, store, tags, auth);
    }

    public RouteSpec withStatusTtl(Map<String, Duration> perStatus) {
        return new RouteSpec(name, match, ttl, ttlMode, perStatus, staleWhileRevalidate, staleIfError, key, perUser, lookup,
                store, tags, auth);
    }

    public RouteSpec withStale(Optional<Duration> whileRevalidate, Optional<Duration> ifError) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, whileRevalidate, ifError, key, perUser, lookup, store, tags, auth);
    }

    public RouteSpec withKey(Key k) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, k, perUser, lookup,
                store, tags, auth);
    }

    public RouteSpec withPerUser(PerUser user) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, key,
                Optional.of(user), lookup, store, tags, auth);
    }

    public RouteSpec withSwitches(boolean lookUp, boolean keep) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, key, perUser, lookUp,
                keep, tags, auth);
    }

    public RouteSpec withMatch(Match m) {
        return new RouteSpec(name, m, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, key, perUser, lookup,
                store, tags, auth);
    }

    public RouteSpec withTags(List<String> templates) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, key, perUser, lookup,
                store, templates, auth);
    }

    public RouteSpec withAuth(String mode) {
        return new RouteSpec(name, match, ttl, ttlMode, statusTtl, staleWhileRevalidate, staleIfError, key, perUser, lookup,
                store, tags, Optional.of(mode));
    }

    /**
     * Which requests a route applies to; every given condition must hold.
     *
     * @param path glob: {@code *} one segment (or part of one), {@code **} any number of segments, {@code {name}} one
     *     segment captured for tags
     * @param methods request methods (any when empty)
     * @param host host glob ({@code *.shop.example}); any when empty
     * @param headers request header → {@code *} (present, any value) or a regex the whole value must match
     */
    public record Match(Optional<String> path, List<String> methods, Optional<String> host, Map<String, String> headers) {
        public Match {
            methods = List.copyOf(methods);
            headers = Map.copyOf(headers);
        }

        public static Match path(String path) {
            return new Match(Optional.of(path), List.of(), Optional.empty(), Map.of());
        }
    }

    /**
     * The cache key beyond scheme, host and path.
     *
     * @param include query parameters kept (all others dropped); globs
     * @param exclude query parameters dropped; globs ({@code utm_*})
     * @param ignoreQuery drop the whole query
     * @param sortQuery order the kept parameters by name (stable), so {@code ?b=1&a=2} and {@code ?a=2&b=1} share an entry
     * @param headers request headers whose values are part of the key (and forwarded)
     * @param cookies cookies whose values are part of the key (the only ones forwarded on a cached request)
     */
    public record Key(List<String> include, List<String> exclude, boolean ignoreQuery, boolean sortQuery, List<String> headers,
                      List<String> cookies) {
        public static final Key NONE = new Key(List.of(), List.of(), false, true, List.of(), List.of());

        public Key {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
            headers = List.copyOf(headers);
            cookies = List.copyOf(cookies);
        }
    }

    /**
     * What identifies the user, exactly one of: a request header, a cookie, or a field of the session the proxy
     * resolved (sessions on; never a client-sent one, which is stripped).
     */
    public record PerUser(Optional<String> header, Optional<String> cookie, Optional<String> session) {
        public PerUser(Optional<String> header, Optional<String> cookie) {
            this(header, cookie, Optional.empty());
        }

        public static PerUser header(String name) {
            return new PerUser(Optional.of(name), Optional.empty(), Optional.empty());
        }

        public static PerUser cookie(String name) {
            return new PerUser(Optional.empty(), Optional.of(name), Optional.empty());
        }

        public static PerUser session(String field) {
            return new PerUser(Optional.empty(), Optional.empty(), Optional.of(field));
        }
    }
}
