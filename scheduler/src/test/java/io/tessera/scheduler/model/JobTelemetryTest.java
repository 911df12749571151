package io.tessera.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's curve: one point of all its shards, a live last point, bounded by halving, and a pace read off the clock. */
class JobTelemetryTest {
    private static final List<ShardPlan> PLAN = List.of(
            new ShardPlan(0, "n1", "a1", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(1, "n2", "a2", "ascend-910b", "huawei", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(2, "n3", "a3", "ascend-910b", "huawei", List.of(0), Precision.BF16, 2, 1, 10));

    private static ShardReport report(int shard, int attempt, Long step, Double rate, Map<String, Double> metrics) {
        return new ShardReport("j", shard, attempt, ShardPhase.RUNNING, null, 1L, null, null,
                new ShardReport.Progress(step, 100L, rate, null, null, metrics));
    }

    private static JobTelemetry.Point at(long ms, long step) {
        return new JobTelemetry.Point(ms, 1, step, Map.of(), null, Map.of());
    }

    @Test
    void aPointIsTheSlowestStepTheRatesPerVendorAndRankZerosMetrics() {
        JobTelemetry.Point p = JobTelemetry.Point.of(1000, 2, List.of(
                report(0, 2, 41L, 10.0, Map.of("loss", 1.5)), report(1, 2, 40L, 7.0, Map.of("loss", 9.0)),
                report(2, 2, null, 8.0, Map.of()), report(0, 1, 99L, 50.0, Map.of("loss", 0.1))), PLAN, 30.0).orElseThrow();
        assertThat(p.step()).isEqualTo(40L);
        assertThat(p.samplesPerSecByVendor()).containsOnly(Map.entry("nvidia", 10.0), Map.entry("huawei", 15.0));
        assertThat(p.samplesPerSec()).isEqualTo(25.0);
        assertThat(p.metrics()).containsOnly(Map.entry("loss", 1.5));
        assertThat(JobTelemetry.Point.of(1000, 2, List.of(report(1, 2, null, null, Map.of())), PLAN, 30.0))
                .as("nothing said about training: no point").isEmpty();
    }

    @Test
    void theLastPointFollowsTheReportsUntilItIsASpacingPastTheOneBefore() {
        JobTelemetry t = JobTelemetry.empty("j").with(at(0, 0)).with(at(1000, 1)).with(at(2000, 2)).with(at(4999, 5));
        assertThat(t.points()).extracting(JobTelemetry.Point::step).containsExactly(0L, 5L);
        t = t.with(at(5000, 6)).with(at(6000, 7));
        assertThat(t.points()).as("5 became fixed when 6 came a spacing after 0; 7 is the live one")
                .extracting(JobTelemetry.Point::step).containsExactly(0L, 5L, 7L);
    }

    @Test
    void aFullSeriesHalvesAndKeepsTheWholeRun() {
        JobTelemetry t = JobTelemetry.empty("j");
        for (int i = 0; i <= 10 * JobTelemetry.MAX_POINTS; i++) {
            t = t.with(at(i * JobTelemetry.FIRST_SPACING_MS, i));
        }
        assertThat(t.points().size()).isBetween(JobTelemetry.MAX_POINTS / 2, JobTelemetry.MAX_POINTS);
        assertThat(t.spacingMs()).isGreaterThanOrEqualTo(8 * JobTelemetry.FIRST_SPACING_MS);
        assertThat(t.last().orElseThrow().step()).isEqualTo(10L * JobTelemetry.MAX_POINTS);
        assertThat(t.points().get(0).step()).as("the start of the run is still near the front").isLessThan(20L);
    }

    /** Regression: the demo's ETA was 10x off, counted from samples/s the worker reports in chip time. */
    @Test
    void thePaceAndTheEndComeFromTheClockNotFromWhatTheWorkerBelieves() {
        JobTelemetry t = JobTelemetry.empty("j");
        for (int i = 0; i <= 10; i++) {
            t = t.with(at(i * 5000L, 10L * i)); // 2 steps a second of wall-clock time
        }
        assertThat(t.stepsPerSec(1)).hasValue(2.0);
        assertThat(t.estimatedEndMs(1, 300)).hasValue(50_000L + 100_000L);
        assertThat(t.stepsPerSec(2)).as("another attempt has no pace yet").isEmpty();
    }
}
