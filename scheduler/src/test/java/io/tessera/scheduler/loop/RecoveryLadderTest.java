package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.loop.RecoveryLadder.Rung;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The recovery ladder's choice of rung, and the lifecycle's process rung, as pure functions. */
class RecoveryLadderTest {
    private static final String NOW = "2026-12-08T03:00:10Z";
    private static final long EXITED_AT = Instant.parse("2026-12-08T03:00:08Z").toEpochMilli();
    private static final Plan PLAN = new Plan(Precision.BF16, List.of(
            new ShardPlan(0, "n1", "a1", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(1, "n2", "a2", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(2, "n3", "a3", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10)),
            30, 0.2, 0.0, Map.of("nvidia", 1.0), List.of());

    private static JobRecord running(String recovery) {
        JobSpec spec = new JobSpecParser(ChipCatalog.builtIn()).parse(("name: t\ncommand: [w]\nshards: 3\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 6\nrestartLimit: 2\n" + recovery)
                .getBytes(StandardCharsets.UTF_8), "application/yaml");
        return new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"), spec,
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0), PLAN,
                List.of(new JobEvent("t0", EventType.PLACED, "")), null, List.of());
    }

    private static ShardReport report(int shard, ShardPhase phase, Integer code, Integer incarnation) {
        return new ShardReport("j", shard, 1, phase, code, 100L + shard, null,
                code == null ? null : new ShardReport.Exit(EXITED_AT, List.of("boom")), null, null, null, incarnation);
    }

    private static Transition step(JobRecord job, Predicate<String> healthy, ShardReport... reports) {
        Map<Integer, ShardReport> map = new HashMap<>();
        for (ShardReport r : reports) {
            map.put(r.shard(), r);
        }
        return JobLifecycle.next(job, new Observation(map, Set.of(), NOW, 30_000, healthy));
    }

    @Test
    void aJobThatDeclaresNothingClimbsStraightToTheGangRung() {
        assertThat(RecoveryLadder.choose(running(""), List.of(report(1, ShardPhase.EXITED, 3, null)), n -> true))
                .isEqualTo(Rung.GANG);
    }

    @Test
    void aWorkerThatFailedOnAHealthyNodeIsRestartedInPlaceWithinTheBudget() {
        JobRecord job = running("recovery: {processRestarts: 2}\n");
        assertThat(RecoveryLadder.choose(job, List.of(report(1, ShardPhase.EXITED, 137, null)), n -> true))
                .isEqualTo(Rung.PROCESS);
        assertThat(RecoveryLadder.choose(job, List.of(report(1, ShardPhase.EXITED, 137, null)), n -> !n.equals("n2")))
                .as("its node is suspect").isEqualTo(Rung.GANG);
        assertThat(RecoveryLadder.choose(job, List.of(report(0, ShardPhase.EXITED, 1, null),
                report(1, ShardPhase.EXITED, 1, null), report(2, ShardPhase.EXITED, 1, null)), n -> true))
                .as("no healthy shard is left to keep").isEqualTo(Rung.GANG);
        assertThat(RecoveryLadder.choose(job, List.of(report(0, ShardPhase.EXITED, 1, null),
                report(1, ShardPhase.EXITED, 1, null)), n -> true)).as("two within a budget of two").isEqualTo(Rung.PROCESS);
        assertThat(RecoveryLadder.choose(job, List.of(report(1, ShardPhase.FAILED_TO_START, null, null)), n -> true))
                .as("never ran: the node's fault").isEqualTo(Rung.GANG);
    }

    @Test
    void theProcessRungKeepsTheAttemptBumpsTheShardsIncarnationAndSaysSo() {
        JobRecord job = running("recovery: {processRestarts: 2}\n");
        Transition t = step(job, n -> true, report(0, ShardPhase.RUNNING, null, null),
                report(1, ShardPhase.EXITED, 137, null), report(2, ShardPhase.RUNNING, null, null));
        assertThat(t.actions()).as("no devices released, no reports cleared").isEmpty();
        JobRecord next = t.job();
        assertThat(next.state()).isEqualTo(JobState.RUNNING);
        assertThat(next.attempt()).isEqualTo(1);
        assertThat(next.restarts()).as("no restart spent").isZero();
        assertThat(next.recovery().incarnation(1)).isEqualTo(1);
        assertThat(next.recovery().incarnation(0)).isZero();
        assertThat(next.recovery().generation()).isEqualTo(1);
        assertThat(next.recovery().downSinceMs()).containsEntry(1, EXITED_AT);
        JobEvent e = next.events().get(next.events().size() - 1);
        assertThat(e.type()).isEqualTo(EventType.PROCESS_RESTARTED);
        assertThat(e.message()).contains("shard 1", "137", "incarnation 1", "1 of 2", "generation 1");

        // The old incarnation's EXITED report is still the latest the store holds: it is ignored.
        Transition still = step(next, n -> true, report(0, ShardPhase.RUNNING, null, null),
                report(1, ShardPhase.EXITED, 137, null), report(2, ShardPhase.RUNNING, null, null));
        assertThat(still.changed(next)).isFalse();

        // The new incarnation runs: the rung is over, and its cost is an event.
        Transition back = step(next, n -> true, report(0, ShardPhase.RUNNING, null, null),
                report(1, ShardPhase.RUNNING, null, 1), report(2, ShardPhase.RUNNING, null, null));
        assertThat(back.job().recovery().downSinceMs()).isEmpty();
        assertThat(back.job().recovery().incarnation(1)).isEqualTo(1);
        JobEvent recovered = back.job().events().get(back.job().events().size() - 1);
        assertThat(recovered.type()).isEqualTo(EventType.RECOVERED);
        assertThat(recovered.message()).contains("shard 1", "2.0 s", "attempt 1");
    }

    @Test
    void theGangRungsCostIsAnEventWhenTheNextAttemptRuns() {
        JobRecord restarted = running("").withAttempt(2, 1).withState(JobState.PLACED)
                .withEvent(new JobEvent("2026-12-08T03:00:00Z", EventType.RESTARTING, "restarting the whole gang", 2, null))
                .withEvent(new JobEvent("2026-12-08T03:00:07Z", EventType.PLACED, "placed", 2, List.of("n1", "n2", "n3")));
        Transition t = JobLifecycle.next(restarted, new Observation(Map.of(
                0, new ShardReport("j", 0, 2, ShardPhase.RUNNING, null, 1L, (String) null, null, null, null, null, null),
                1, new ShardReport("j", 1, 2, ShardPhase.RUNNING, null, 2L, (String) null, null, null, null, null, null),
                2, new ShardReport("j", 2, 2, ShardPhase.RUNNING, null, 3L, (String) null, null, null, null, null, null)),
                Set.of(), NOW));
        JobEvent e = t.job().events().get(t.job().events().size() - 1);
        assertThat(e.type()).isEqualTo(EventType.RUNNING);
        assertThat(e.message()).isEqualTo("all 3 shards started (attempt 2); the gang restart took 10.0 s from the failure");
        Transition first = JobLifecycle.next(running("").withState(JobState.PLACED), new Observation(Map.of(
                0, new ShardReport("j", 0, 1, ShardPhase.RUNNING, null, 1L, (String) null, null, null, null, null, null),
                1, new ShardReport("j", 1, 1, ShardPhase.RUNNING, null, 2L, (String) null, null, null, null, null, null),
                2, new ShardReport("j", 2, 1, ShardPhase.RUNNING, null, 3L, (String) null, null, null, null, null, null)),
                Set.of(), NOW));
        assertThat(first.job().events().get(first.job().events().size() - 1).message())
                .isEqualTo("all 3 shards started (attempt 1)");
    }

    @Test
    void anExhaustedBudgetClimbsToTheGangRungWhichStartsTheNextAttemptAfresh() {
        JobRecord job = running("recovery: {processRestarts: 1}\n");
        JobRecord once = step(job, n -> true, report(0, ShardPhase.RUNNING, null, null),
                report(1, ShardPhase.EXITED, 1, null), report(2, ShardPhase.RUNNING, null, null)).job();
        assertThat(once.recovery().generation()).isEqualTo(1);
        Transition again = step(once, n -> true, report(0, ShardPhase.RUNNING, null, null),
                report(1, ShardPhase.EXITED, 1, 1), report(2, ShardPhase.RUNNING, null, null));
        assertThat(again.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(again.job().attempt()).isEqualTo(2);
        assertThat(again.job().restarts()).isEqualTo(1);
        assertThat(again.job().recovery().generation()).as("a new attempt starts at generation 0").isZero();
        assertThat(again.job().events()).extracting(JobEvent::type).contains(EventType.SHARD_FAILED, EventType.RESTARTING);
    }
}
