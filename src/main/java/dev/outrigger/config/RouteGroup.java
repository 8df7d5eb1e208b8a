package dev.outrigger.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One of {@code outrigger.routes}: a per-route rule as configured (a group of {@link OutriggerConfig}, in a file of its own). */
public interface RouteGroup {
    /** Unique; the {@code route} tag of the requests counter, and what explain and debug headers show. */
    String name();

    Match match();

    /** The lifetime the route gives responses with status 200, 203, 204, 300, 301 or 308, as {@code ttl-mode} says. */
    Optional<Duration> ttl();

    /**
     * {@code respect-origin}: the origin's lifetime, at most {@code ttl}; {@code fallback}: the origin's explicit
     * lifetime if it gives one, else {@code ttl}; {@code override}: {@code ttl} whatever the origin says
     * (no-store and private still refuse storage).
     */
    @WithDefault("respect-origin")
    String ttlMode();

    /** Lifetimes by status code ({@code "404": 30s}), in place of {@code ttl} for that status; {@code 0s}: never stored. */
    Map<String, Duration> statusTtl();

    /** Stale-while-revalidate window for the route's responses, when longer than their own (RFC 5861). */
    Optional<Duration> staleWhileRevalidate();

    /** Stale-if-error window for the route's responses, when longer than their own (RFC 5861). */
    Optional<Duration> staleIfError();

    Key key();

    /** Responses are stored per user, under a keyed hash of this header's, cookie's or session field's value. */
    Optional<PerUser> perUser();

    /** Answer from the cache; false: always forwarded (and stored when {@code store} allows). */
    @WithDefault("true")
    boolean lookup();

    /** Store responses; false: never stored (and answered from the cache when {@code lookup} allows). */
    @WithDefault("true")
    boolean store();

    /** Purge tags added to every response the route stores; {@code {name}} is a variable of {@code match.path}. */
    Optional<List<String>> tags();

    /**
     * With sessions on: {@code required} (401 without a valid token), {@code optional} (forwarded either way, with
     * the session when there is one) or {@code none}; unset: {@code outrigger.session.auth}.
     */
    Optional<String> auth();

    /** What a route takes: every given condition must hold. */
    interface Match {
        /** Path glob: {@code *} within one segment, {@code **} any segments, {@code {name}} one segment, captured. */
        Optional<String> path();

        /** Methods (any when unset). */
        Optional<List<String>> methods();

        /** Host glob, without port ({@code *.shop.example}). */
        Optional<String> host();

        /** Request header → {@code "*"} (present) or a regular expression the whole value must match. */
        Map<String, String> headers();
    }

    /** The cache key beyond scheme, host and path. */
    interface Key {
        Query query();

        /** Request headers whose values are part of the key. */
        Optional<List<String>> headers();

        /** Cookies whose values are part of the key: the only cookies forwarded on the route's cached requests. */
        Optional<List<String>> cookies();
    }

    /** Which query parameters the key keeps; the others are not forwarded either. */
    interface Query {
        /** Keep only these (globs). */
        Optional<List<String>> include();

        /** Drop these (globs, {@code utm_*}). */
        Optional<List<String>> exclude();

        /** Drop the whole query. */
        @WithDefault("false")
        boolean ignore();

        /** Order the kept parameters by name (stable): {@code ?b=1&a=2} and {@code ?a=2&b=1} share an entry. */
        @WithDefault("true")
        boolean sort();
    }

    /** The request field that names the user: a header or a cookie. */
    interface PerUser {
        Optional<String> header();

        Optional<String> cookie();

        /** A top-level field of the session the proxy resolved (sessions on), e.g. {@code sub}. */
        Optional<String> session();
    }
}
