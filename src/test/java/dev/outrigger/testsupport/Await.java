package dev.outrigger.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting, bounded, for something another thread or process does; never for time to pass. */
public final class Await {

    private Await() {}

    /** Polls {@code condition} every 10 ms; fails naming {@code what} after {@code bound}. */
    public static void until(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
        until(condition, bound, () -> what);
    }

    /** As above; {@code what} is computed when it fails, so it can tell what was seen by then. */
    public static void until(BooleanSupplier condition, Duration bound, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound.toMillis() + " ms: " + what.get());
            }
            Thread.sleep(10);
        }
    }

    /** {@link #until(BooleanSupplier, Duration, String)} with a 5 s bound. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, Duration.ofSeconds(5), what);
    }
}
