package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet's series stays bounded and covers its whole span, the newest point live. */
class FleetUsageTest {

    private static FleetUsage.Point at(long ms, int allocated) {
        return new FleetUsage.Point(ms, Map.of("nvidia", new FleetUsage.Use(allocated, 8)));
    }

    @Test
    void aYearOfMinutesStaysBoundedAndCoversItsSpan() {
        FleetUsage u = FleetUsage.empty();
        long year = 365L * 24 * 3_600_000;
        for (long t = 0; t <= year; t += 5 * FleetUsage.FIRST_SPACING_MS) {
            u = u.with(at(t, (int) (t / FleetUsage.FIRST_SPACING_MS % 9))); // every 5 minutes
        }
        assertThat(u.points().size()).isLessThanOrEqualTo(FleetUsage.MAX_POINTS).isGreaterThan(FleetUsage.MAX_POINTS / 2);
        assertThat(u.points().get(0).atMs()).as("it still reaches back to the start").isLessThan(year / 20);
        assertThat(u.last().orElseThrow().atMs()).isEqualTo(year);
        assertThat(u.spacingMs()).as("a year in at most 480 points: about a day and a half apart").isBetween(24 * 3_600_000L, 48 * 3_600_000L);
        for (int i = 1; i < u.points().size(); i++) {
            assertThat(u.points().get(i).atMs()).isGreaterThan(u.points().get(i - 1).atMs());
        }
    }

    @Test
    void aSampleSoonerThanTheSpacingReplacesTheLivePoint() {
        FleetUsage u = FleetUsage.empty().with(at(0, 1)).with(at(5_000, 2)).with(at(10_000, 3));
        assertThat(u.points()).containsExactly(at(0, 1), at(10_000, 3));
        u = u.with(at(60_000, 4));
        assertThat(u.points()).containsExactly(at(0, 1), at(10_000, 3), at(60_000, 4));
    }

    @Test
    void useIsAPercentageOfTheHealthyDevices() {
        assertThat(new FleetUsage.Use(2, 8).percent()).isEqualTo(25.0);
        assertThat(new FleetUsage.Use(0, 0).percent()).isZero();
    }
}
