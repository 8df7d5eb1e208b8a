package dev.outrigger.coalesce;

import dev.outrigger.coalesce.Leases.Signal;

/**
 * The report of one leading round of a {@link Flight}: what each outcome does to the lease (the signal it is
 * released with) and to the flight (ended, or handed to the next waiter). Only the round's first report
 * counts; a round that was replaced (its leader timed out) no longer does.
 */
final class LeadRound implements Lead {
    private final Coalescer coalescer;
    private final Flight f;
    private final int round;
    private final boolean takeover;

    LeadRound(Coalescer coalescer, Flight f, int round, boolean takeover) {
        this.coalescer = coalescer;
        this.f = f;
        this.round = round;
        this.takeover = takeover;
    }

    /** The lease token when this call is the round's report ({@code ""} for a local lead), null when it is not. */
    private String resolve() {
        synchronized (f) {
            return f.report(round);
        }
    }

    private void countTakeover(boolean declined) {
        if (takeover && !declined) {
            coalescer.tookOver();
        }
    }

    /** Releases the lease (a held one) with {@code signal}; a takeover that was carried out is counted. */
    private void release(String token, Signal signal, boolean declined) {
        countTakeover(declined);
        coalescer.release(f, token, signal);
    }

    @Override
    public void filled() {
        String token = resolve();
        if (token != null) {
            release(token, Signal.FILLED, false);
            coalescer.finish(f, null);
        }
    }

    @Override
    public void foundFilled() {
        String token = resolve();
        if (token != null) {
            release(token, Signal.FILLED, true); // not counted as a takeover: nothing was fetched
            coalescer.finish(f, null);
        }
    }

    @Override
    public void unshareable() {
        String token = resolve();
        if (token != null) {
            coalescer.markUnshareable(f);
            release(token, Signal.UNSHAREABLE, false);
            coalescer.finish(f, Alone.UNSHAREABLE);
        }
    }

    @Override
    public void failed() {
        String token = resolve();
        if (token != null) {
            countTakeover(false);
            coalescer.retry(f, true, token);
        }
    }

    @Override
    public void declined() {
        String token = resolve();
        if (token != null) {
            coalescer.retry(f, false, token);
        }
    }
}
