package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decayed recent use: steady use reads as itself, past use halves every half-life. */
class UsageHistoryTest {
    private static final long HOUR = 3_600_000;

    private static QueueUsage holding(String queue, double tflops) {
        return new QueueUsage(Map.of(queue, new QuotaCharge(tflops, Map.of())), Map.of(), Map.of());
    }

    private static final QueueUsage NOTHING = new QueueUsage(Map.of(), Map.of(), Map.of());

    @Test
    void steadyUseReadsAsItselfAndPastUseHalvesEveryHalfLife() {
        UsageHistory h = UsageHistory.start(0, HOUR);
        for (long t = 60_000; t <= 20 * HOUR; t += 60_000) {
            h = h.advance(holding("ml", 1000), t);
        }
        assertThat(h.recentTflops("ml")).isCloseTo(1000, offset(20.0));
        double before = h.recentTflops("ml");
        long t0 = 20 * HOUR;
        for (long t = t0 + 60_000; t <= t0 + HOUR; t += 60_000) {
            h = h.advance(NOTHING, t);
        }
        assertThat(h.recentTflops("ml")).isCloseTo(before / 2, offset(1.0));
        assertThat(h.recentTflops("other")).isZero();
    }

    @Test
    void aQueueThatUsedMuchLatelyYieldsToOneThatUsedNothing() {
        UsageHistory h = UsageHistory.start(0, HOUR);
        for (long t = 60_000; t <= 3 * HOUR; t += 60_000) {
            h = h.advance(holding("busy", 1000), t);
        }
        h = h.advance(NOTHING, 4 * HOUR);
        // The documented example: about 440 an hour after three hours at 1,000.
        assertThat(h.recentTflops("busy")).isCloseTo(437, offset(10.0));
        assertThat(h.effective("busy", 0)).isGreaterThan(h.effective("idle", 0));
        assertThat(h.effective("idle", 100)).isEqualTo(50.0);
    }
}
