package dev.outrigger.coalesce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The XFetch rule: refresh when −delta·beta·ln(u) reaches what is left of the freshness. */
class CoalesceSettingsTest {

    record Row(String name, double beta, double u, long deltaMs, long remainingMs, boolean due) {}

    @Test
    void earlyRefreshFollowsTheXFetchRule() {
        double e = Math.exp(-1); // −ln(u) = 1: the early window is exactly beta × delta
        List<Row> rows = List.of(
                new Row("inside the window", 1.0, e, 1000, 999, true),
                new Row("at the window's edge", 1.0, e, 1000, 1000, true),
                new Row("before the window", 1.0, e, 1000, 1001, false),
                new Row("beta widens the window", 3.0, e, 1000, 2900, true),
                new Row("beta 0 turns it off", 0.0, 1e-9, 1000, 1, false),
                new Row("an instant fetch never refreshes early", 1.0, 1e-9, 0, 1, false),
                new Row("u = 1 never refreshes early", 1.0, 1.0, 1000, 1, false),
                new Row("u near 0 refreshes far ahead (−ln u ≈ 690)", 1.0, 1e-300, 1000, 600_000, true),
                new Row("already expired is not early", 1.0, e, 1000, -1, false));
        for (Row row : rows) {
            CoalesceSettings s = new CoalesceSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(10),
                    Duration.ofSeconds(10), row.beta(), true, row::u);
            assertEquals(row.due(), s.earlyRefreshDue(Duration.ofMillis(row.remainingMs()), Duration.ofMillis(row.deltaMs())),
                    row.name());
        }
    }

    @Test
    void aNegativeBetaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CoalesceSettings(true, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(10), -1, true, () -> 0.5));
    }
}
