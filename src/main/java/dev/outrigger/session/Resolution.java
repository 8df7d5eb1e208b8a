package dev.outrigger.session;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/** What a token turned out to be. */
public sealed interface Resolution {

    /** A live session: what the application gets, and when the token stops being valid (if the resolver said). */
    record Active(JsonObject session, Optional<Instant> expires) implements Resolution {
        /** Compact JSON, as the application receives it in {@code X-Session}. */
        public String compact() {
            return session.encode();
        }
    }

    /** The resolver said no (inactive, unknown, expired, bad signature): remembered for the negative ttl. */
    record Rejected(String why) implements Resolution {}

    /** The resolver could not say (down, slow, broken): never remembered; required routes answer 503. */
    record Unavailable(String why) implements Resolution {}
}
