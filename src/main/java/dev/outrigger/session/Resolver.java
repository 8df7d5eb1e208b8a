package dev.outrigger.session;

import io.smallrye.mutiny.Uni;

/** Turns a token into a session by asking whoever knows. Never fails: a failure is {@link Resolution.Unavailable}. */
interface Resolver {

    Uni<Resolution> resolve(String token);
}
