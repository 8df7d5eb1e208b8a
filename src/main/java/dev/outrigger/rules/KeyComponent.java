package dev.outrigger.rules;

import java.util.Optional;

/**
 * One typed component of a cache key beyond scheme, host and target: its kind and name go into the key
 * along with its value, length-prefixed (see CacheKey), so a header can never pass for a cookie, a value
 * for two, or an absent field for an empty one.
 *
 * @param kind what the component is
 * @param name the field's lowercase name (a cookie's as sent)
 * @param value its value; empty when the request lacks the field
 */
public record KeyComponent(Kind kind, String name, Optional<String> value) {

    public enum Kind {
        /** A trusted forwarding header (X-Forwarded-Proto...), kept for the upstream. */
        FORWARDED('f'),
        /** A request header a route keys on. */
        HEADER('h'),
        /** A cookie a route keys on. */
        COOKIE('c'),
        /** The keyed hash of the user's identity on a per-user route (never the identity itself). */
        USER('u'),
        /**
         * The service an aggregate part is fetched from, when it is not the pod's application: no request a client
         * sends carries it, so no client request shares (or fills) a remote part's entry.
         */
        ORIGIN('o');

        private final char code;

        Kind(char code) {
            this.code = code;
        }

        /** The letter that stands for the kind in a stored key. */
        public char code() {
            return code;
        }
    }

    public static KeyComponent of(Kind kind, String name, String value) {
        return new KeyComponent(kind, name, Optional.ofNullable(value));
    }
}
