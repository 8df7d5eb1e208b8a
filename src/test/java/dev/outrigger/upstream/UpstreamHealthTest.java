package dev.outrigger.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamHealthTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    final List<String> events = new ArrayList<>();
    final UpstreamHealth health = new UpstreamHealth(new UpstreamHealth.Settings(3, Duration.ZERO, Duration.ofSeconds(1),
            Duration.ofSeconds(4), Duration.ofSeconds(30)), clock, new UpstreamHealth.Listener() {
        @Override
        public void stateChanged(UpstreamHealth.State state) {
            events.add(state.name());
        }

        @Override
        public void probe() {
            events.add("probe");
        }
    });

    void fail(int times) {
        for (int i = 0; i < times; i++) {
            health.failed("503");
        }
    }

    @Test
    void healthyAsksAlwaysAndASuccessResetsTheRun() {
        fail(2);
        health.succeeded();
        fail(2);
        assertFalse(health.failing());
        assertEquals(UpstreamHealth.Ask.ASK, health.ask());
        assertEquals(List.of(), events);
    }

    @Test
    void failingAfterTheConfiguredRunAndOneStateChange() {
        fail(10);
        assertTrue(health.failing());
        assertEquals("503", health.lastFailure());
        assertEquals(List.of("FAILING"), events);
    }

    @Test
    void probesComeOneAtATimeWithADoublingIntervalUpToItsCap() {
        fail(3);
        List<Long> probeTimes = new ArrayList<>();
        for (int second = 0; second <= 20; second++) {
            for (int request = 0; request < 5; request++) {
                if (health.ask() == UpstreamHealth.Ask.PROBE) {
                    probeTimes.add((long) second);
                    health.failed("refused"); // the probe fails
                }
            }
            clock.advance(Duration.ofSeconds(1));
        }
        // 1 s after failing, then 2, 4, and 4 (the cap)
        assertEquals(List.of(1L, 3L, 7L, 11L, 15L, 19L), probeTimes);
    }

    @Test
    void aProbeInFlightHoldsBackTheNextUntilItReportsOrItsTimeoutPasses() {
        fail(3);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(UpstreamHealth.Ask.PROBE, health.ask());
        clock.advance(Duration.ofSeconds(10)); // well past the next interval, but the probe has not reported
        assertEquals(UpstreamHealth.Ask.SPARE, health.ask());
        clock.advance(Duration.ofSeconds(20)); // its timeout (30 s) has passed: it is taken as lost
        assertEquals(UpstreamHealth.Ask.PROBE, health.ask());
    }

    @Test
    void theFirstSuccessEndsTheFailingStateAndTheIntervalStartsOver() {
        fail(3);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(UpstreamHealth.Ask.PROBE, health.ask());
        health.succeeded();
        assertFalse(health.failing());
        assertEquals(List.of("FAILING", "probe", "HEALTHY"), events);

        fail(3);
        clock.advance(Duration.ofMillis(999));
        assertEquals(UpstreamHealth.Ask.SPARE, health.ask());
        clock.advance(Duration.ofMillis(1));
        assertEquals(UpstreamHealth.Ask.PROBE, health.ask(), "the first probe comes after the shortest interval again");
    }

    @Test
    void failuresInARowMustLastTheirSpanSoABrokenRouteAmongHealthyOnesNeverTripsIt() {
        UpstreamHealth spanning = new UpstreamHealth(new UpstreamHealth.Settings(3, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(30)), clock, UpstreamHealth.Listener.NONE);
        for (int i = 0; i < 100; i++) { // a broken route: 503s between the healthy routes' answers
            spanning.failed("503");
            spanning.failed("503");
            spanning.failed("503");
            clock.advance(Duration.ofMillis(400));
            spanning.succeeded();
        }
        assertFalse(spanning.failing());

        for (int i = 0; i < 3; i++) { // the whole application down: nothing but failures
            spanning.failed("refused");
            clock.advance(Duration.ofMillis(400));
        }
        assertFalse(spanning.failing(), "three failures, but within 0.8 s");
        spanning.failed("refused");
        assertTrue(spanning.failing(), "failures in a row for 1.2 s");
    }

    @Test
    void gatewayStatusesAreFailuresOtherStatusesAreAnswers() {
        assertTrue(UpstreamHealth.isFailure(502));
        assertTrue(UpstreamHealth.isFailure(503));
        assertTrue(UpstreamHealth.isFailure(504));
        assertFalse(UpstreamHealth.isFailure(500), "a 500 is one route's bug, not the application down");
        assertFalse(UpstreamHealth.isFailure(404));
        assertFalse(UpstreamHealth.isFailure(200));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new UpstreamHealth.Settings(0, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new UpstreamHealth.Settings(1, Duration.ZERO, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }
}
