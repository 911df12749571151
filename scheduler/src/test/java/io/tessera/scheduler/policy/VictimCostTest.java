package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.VictimSelector.Candidate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What preempting a running job costs, counted from the job's spec and its
 * shards' reports: the work since the last checkpoint, and a restart that is declared, or the
 * checkpoint's reported write time plus the cluster default.
 */
class VictimCostTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final long HOUR_LATER = T0.plusSeconds(3600).toEpochMilli();

    /** Two shards of 4 devices, 2 s steps, placed at T0, attempt 3. */
    private static JobRecord job(String scheduling) {
        return new JobRecord(new JobRecord.Identity("j", 1, "u", T0.toString()),
                new JobSpecParser(ChipCatalog.builtIn()).parse(("name: r\ncommand: [w]\nshards: 2\ndevicesPerShard: 4\n"
                        + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n" + scheduling)
                        .getBytes(StandardCharsets.UTF_8), "application/yaml"),
                new JobRecord.Lifecycle(JobState.RUNNING, false, 3, 0, 0),
                new Plan(Precision.BF16, List.of(shard(0), shard(1)), 10, 2.0, 0, Map.of("nvidia", 1.0), List.of()),
                List.of(new JobEvent(T0.toString(), EventType.PLACED, "placed", 3, List.of("n"))), null, List.of());
    }

    private static ShardPlan shard(int i) {
        return new ShardPlan(i, "n" + i, "a", "nvidia-h20", "nvidia", List.of(0, 1, 2, 3), Precision.BF16, 1, 1, 5);
    }

    private static ShardReport report(int shard, int attempt, long step, long ckpt, Double ckptSec) {
        return new ShardReport("j", shard, attempt, ShardPhase.RUNNING, null, 1L, null, null,
                new ShardReport.Progress(step, 100L, null, ckpt, null, null, ckptSec));
    }

    @Test
    void theWorkersReportedCheckpointWriteTimeIsAddedToTheDefaultRestart() {
        Candidate c = VictimCost.of(job(""), Map.of(0, report(0, 3, 50, 40, 12.0), 1, report(1, 3, 48, 40, 30.0)),
                new VictimCost.Restart(60, 600), T0.toEpochMilli(), HOUR_LATER);
        assertThat(c.lostWorkSec()).as("10 steps of 2 s since the checkpoint, the furthest shard").isEqualTo(20);
        assertThat(c.restartSec()).as("the slowest shard's write, 30 s, plus the default 60 s").isEqualTo(90);
        assertThat(c.devices()).isEqualTo(8);
        assertThat(c.costDeviceSec()).isEqualTo(8 * (20 + 90));
        assertThat(c.startedAtMs()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void aDeclaredRestartCostWinsAndReportsOfAnEarlierAttemptCountForNothing() {
        Candidate c = VictimCost.of(job("scheduling: {restartCostSec: 300}\n"),
                Map.of(0, report(0, 2, 90, 10, 500.0)), new VictimCost.Restart(60, 600), 0, HOUR_LATER);
        assertThat(c.restartSec()).isEqualTo(300);
        assertThat(c.lostWorkSec()).as("the old attempt's steps are not this attempt's work").isZero();
    }

    @Test
    void aJobThatSaysNothingCostsTheDefaultRestart() {
        Candidate c = VictimCost.of(job(""), Map.of(), new VictimCost.Restart(45, 600), 0, HOUR_LATER);
        assertThat(c.restartSec()).isEqualTo(45);
        assertThat(c.costDeviceSec()).isEqualTo(8 * 45);
    }

    @Test
    void neitherADeclaredNorAReportedCostCanShieldAJobBeyondTheClustersCeiling() {
        VictimCost.Restart restart = new VictimCost.Restart(60, 600);
        assertThat(VictimCost.of(job("scheduling: {restartCostSec: 86400}\n"), Map.of(), restart, T0.toEpochMilli(),
                HOUR_LATER).restartSec()).as("declared a day").isEqualTo(600);
        assertThat(VictimCost.of(job(""), Map.of(0, report(0, 3, 50, 40, 1e8)), restart, T0.toEpochMilli(), HOUR_LATER)
                .restartSec()).as("a worker that says its checkpoint took three years").isEqualTo(600);
        Candidate never = VictimCost.of(job(""), Map.of(0, report(0, 3, 900_000_000L, 0, null)), restart,
                T0.toEpochMilli(), T0.plusSeconds(120).toEpochMilli());
        assertThat(never.lostWorkSec()).as("a worker that claims 900M steps since its checkpoint, placed 2 min ago")
                .isEqualTo(120);
    }
}
