package dev.outrigger.proxy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Bringing a callback back to the request's event loop before it touches the exchange. */
final class Contexts {

    private Contexts() {}

    /** Runs {@code action} on {@code context}: at once when already there, else as a task on it. */
    static void onContext(Context context, Runnable action) {
        if (context == null || Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
