package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.ReservationPolicy;
import io.tessera.scheduler.sim.VirtualClock;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A running job's predicted end is counted from when its step was heard, and kept as tight as its reports allow. */
class ProgressAnchorsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final VirtualClock clock = new VirtualClock(T0);
    private final ProgressAnchors anchors = new ProgressAnchors(new ClusterView(store, ChipCatalog.builtIn()), clock);
    /** 100 steps of 2 s, placed at T0. */
    private final JobRecord job = new JobRecord(new JobRecord.Identity("j", 1, "u", T0.toString()),
            new JobSpecParser(ChipCatalog.builtIn()).parse(("name: r\n"
            + "command: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n"
            + "scheduling: {steps: 100}\n").getBytes(StandardCharsets.UTF_8), "application/yaml"),
            new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
            new Plan(Precision.BF16, List.of(new ShardPlan(0, "n", "a", "nvidia-h20", "nvidia",
            List.of(0), Precision.BF16, 1, 1, 10)), 10, 2.0, 0, Map.of("nvidia", 1.0), List.of()),
                    List.of(new JobEvent(T0.toString(), EventType.PLACED, "placed", 1, List.of("n"))), null, List.of());

    /** The job's predicted end, in seconds after T0, once a pass has observed the reports so far. */
    private double endSec() {
        anchors.observe();
        Map<Integer, ShardReport> reports = store.shardReports("j", 1);
        double left = ReservationPolicy.remainingSec(job, reports).orElseThrow();
        return (anchors.predictedEndMs(job, reports, left) - T0.toEpochMilli()) / 1000.0;
    }

    private void report(long step) {
        store.recordShardReports(List.of(new ShardReport("j", 0, 1, ShardPhase.RUNNING, null, 1L, step, 100L, null, null,
                null)));
    }

    @Test
    void theEndDoesNotDriftBetweenReportsAndALateHeardStepDoesNotMoveIt() {
        assertThat(endSec()).as("no step yet: from its placement").isEqualTo(200.0);
        clock.advance(Duration.ofSeconds(20));
        report(10);
        assertThat(endSec()).isEqualTo(200.0);
        clock.advance(Duration.ofSeconds(30));
        assertThat(endSec()).as("30 s later, nothing heard: the same end, not 30 s later").isEqualTo(200.0);
        clock.advance(Duration.ofMillis(9_900)); // step 29 is heard 1.9 s after it ended: its bound is 1.9 s later
        report(29);
        assertThat(endSec()).isEqualTo(200.0);
    }

    @Test
    void aJobThatRunsSlowerThanPredictedMovesItsEndLater() {
        clock.advance(Duration.ofSeconds(20));
        report(10);
        assertThat(endSec()).isEqualTo(200.0);
        clock.advance(Duration.ofSeconds(40)); // 20 steps should have passed; only 5 did
        report(15);
        assertThat(endSec()).isEqualTo(60 + 85 * 2.0);
    }
}
