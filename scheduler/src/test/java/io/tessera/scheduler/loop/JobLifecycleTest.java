package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobLifecycleTest {
    private static final JobSpec SPEC = new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\nrestartLimit: 1\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");
    private static final Plan PLAN = new Plan(Precision.BF16, List.of(
            new ShardPlan(0, "n1", "a1", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(1, "n2", "a2", "ascend-910b", "huawei", List.of(0), Precision.BF16, 2, 1, 10)),
            20, 0.2, 0.0, Map.of("nvidia", 0.5, "huawei", 0.5), List.of());

    private static JobRecord placed() {
        return new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"),
                SPEC,
                new JobRecord.Lifecycle(JobState.PLACED, false, 1, 0, 0),
                PLAN, List.of(new JobEvent("t0", EventType.PLACED, "")), null, List.of());
    }

    private static ShardReport report(int shard, int attempt, ShardPhase phase, Integer code) {
        return new ShardReport("j", shard, attempt, phase, code, 100L + shard, (Long) null, null, null, null, null);
    }

    private static Transition step(JobRecord job, Set<String> lost, ShardReport... reports) {
        Map<Integer, ShardReport> map = new HashMap<>();
        for (ShardReport r : reports) {
            map.put(r.shard(), r);
        }
        return JobLifecycle.next(job, new Observation(map, lost, "t1"));
    }

    @Test
    void placedBecomesRunningWhenEveryShardRuns() {
        JobRecord job = placed();
        Transition t = step(job, Set.of(), report(0, 1, ShardPhase.RUNNING, null));
        assertThat(t.changed(job)).isFalse();
        t = step(job, Set.of(), report(0, 1, ShardPhase.RUNNING, null), report(1, 1, ShardPhase.RUNNING, null));
        assertThat(t.job().state()).isEqualTo(JobState.RUNNING);
        assertThat(t.actions()).isEmpty();
    }

    @Test
    void succeedsWhenEveryShardExitsZero() {
        Transition t = step(placed().withState(JobState.RUNNING), Set.of(),
                report(0, 1, ShardPhase.EXITED, 0), report(1, 1, ShardPhase.EXITED, 0));
        assertThat(t.job().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(t.actions()).containsExactly(Action.RELEASE_DEVICES);
    }

    @Test
    void aFailedShardRestartsTheWholeGangUntilTheLimit() {
        Transition t = step(placed().withState(JobState.RUNNING), Set.of(),
                report(0, 1, ShardPhase.EXITED, 3), report(1, 1, ShardPhase.RUNNING, null));
        assertThat(t.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(t.job().attempt()).isEqualTo(2);
        assertThat(t.job().placement()).isNull();
        assertThat(t.job().events()).extracting(JobEvent::type).contains(EventType.SHARD_FAILED, EventType.RESTARTING);
        assertThat(t.actions()).contains(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS);

        JobRecord second = t.job().withPlacement(PLAN).withState(JobState.RUNNING);
        Transition again = step(second, Set.of(), report(1, 2, ShardPhase.EXITED, 1));
        assertThat(again.job().state()).isEqualTo(JobState.FAILED);
        assertThat(again.job().events().get(again.job().events().size() - 1).message()).contains("restart limit 1");
    }

    @Test
    void reportsOfOlderAttemptsAreIgnored() {
        JobRecord second = new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"),
                SPEC,
                new JobRecord.Lifecycle(JobState.PLACED, false, 2, 1, 0),
                PLAN, List.of(), null, List.of());
        Transition t = step(second, Set.of(), report(0, 1, ShardPhase.EXITED, 9), report(1, 1, ShardPhase.EXITED, 9));
        assertThat(t.changed(second)).isFalse();
    }

    @Test
    void aLostNodeIsNamedInTheEvents() {
        Transition t = step(placed().withState(JobState.RUNNING), Set.of("n2"));
        assertThat(t.job().events()).filteredOn(e -> e.type() == EventType.NODE_LOST).first()
                .satisfies(e -> assertThat(e.message()).contains("n2").contains("[1]"));
        assertThat(t.job().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aNodeLostBeforeTheAttemptStartedCostsNoRestart() {
        Transition t = step(placed(), Set.of("n2"));
        assertThat(t.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(t.job().attempt()).isEqualTo(2);
        assertThat(t.job().restarts()).isZero();
        assertThat(t.actions()).contains(JobLifecycle.Action.RELEASE_DEVICES);
        Transition running = step(placed().withState(JobState.RUNNING), Set.of("n2"));
        assertThat(running.job().restarts()).as("a started attempt does count").isEqualTo(1);
    }

    /**
     * Regression: a shard Tessera's own launcher could not start (its environment file out of the
     * job's reach) spent the job's restarts, with backoff, as if the job had failed.
     */
    @Test
    void aShardTesseraCouldNotStartCostsNoRestartAndGivesUpAfterItsLimit() {
        JobRecord job = placed();
        for (int i = 1; i < JobLifecycle.NOT_STARTED_LIMIT; i++) {
            Transition t = step(job, Set.of(), report(0, job.attempt(), ShardPhase.FAILED_TO_START, null),
                    report(1, job.attempt(), ShardPhase.KILLED, null));
            assertThat(t.job().state()).isEqualTo(JobState.QUEUED);
            assertThat(t.job().restarts()).as("not counted against restartLimit").isZero();
            int next = job.attempt() + 1;
            assertThat(t.job().attempt()).isEqualTo(next);
            assertThat(t.job().events()).last().satisfies(e -> {
                assertThat(e.type()).isEqualTo(EventType.RESTARTING);
                assertThat(e.attempt()).as("the next attempt backs off").isEqualTo(next);
                assertThat(e.message()).contains("not counted against restartLimit").doesNotContain("fix the spec");
            });
            assertThat(t.actions()).contains(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS);
            job = t.job().withPlacement(PLAN).withState(JobState.PLACED);
        }
        Transition last = step(job, Set.of(), report(0, job.attempt(), ShardPhase.FAILED_TO_START, null));
        assertThat(last.job().state()).isEqualTo(JobState.FAILED);
        assertThat(last.job().restarts()).isZero();
        assertThat(last.job().events()).last().extracting(JobEvent::message).asString()
                .contains("fleet's fault").doesNotContain("fix the spec");
    }

    @Test
    void cancelReleasesAnActiveJobAndFinishesAQueuedOne() {
        Transition t = step(placed().withCancelRequested(), Set.of());
        assertThat(t.job().state()).isEqualTo(JobState.CANCELLED);
        assertThat(t.actions()).containsExactly(Action.RELEASE_DEVICES);
        JobRecord queued = new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"),
                SPEC,
                new JobRecord.Lifecycle(JobState.QUEUED, true, 1, 0, 0),
                null, List.of(), null, List.of());
        assertThat(step(queued, Set.of()).job().state()).isEqualTo(JobState.CANCELLED);
        assertThat(step(queued, Set.of()).actions()).isEmpty();
    }

    @Test
    void terminalJobsNeverChange() {
        JobRecord done = placed().withState(JobState.SUCCEEDED).withCancelRequested();
        assertThat(step(done, Set.of("n1")).changed(done)).isFalse();
    }

    private static JobRecord preempting() {
        return new JobRecord(new JobRecord.Identity("j", 1, "alice", "t0"),
                SPEC,
                new JobRecord.Lifecycle(JobState.PREEMPTING, false, 1, 0, 0),
                PLAN,
                        List.of(new JobEvent("2026-01-01T00:00:00Z", EventType.PREEMPTING, "preempted for job k")), null, List.of());
    }

    private static Transition at(JobRecord job, String now, ShardReport... reports) {
        Map<Integer, ShardReport> map = new HashMap<>();
        for (ShardReport r : reports) {
            map.put(r.shard(), r);
        }
        return JobLifecycle.next(job, new Observation(map, Set.of(), now, 30_000));
    }

    @Test
    void aPreemptedJobKeepsItsDevicesUntilItsWorkersStopThenRequeuesWithoutARestart() {
        JobRecord job = preempting();
        Transition t = at(job, "2026-01-01T00:00:10Z", report(0, 1, ShardPhase.EXITED, 143),
                report(1, 1, ShardPhase.RUNNING, null));
        assertThat(t.changed(job)).as("one worker still checkpointing").isFalse();
        ShardReport ckpt = new ShardReport("j", 1, 1, ShardPhase.EXITED, 0, 101L, 40L, 100L, null, null, 40L);
        t = at(job, "2026-01-01T00:00:12Z", new ShardReport("j", 0, 1, ShardPhase.EXITED, 0, 100L, 40L, 100L, null,
                null, 40L), ckpt);
        assertThat(t.job().state()).as("exit 0 while preempting is not success").isEqualTo(JobState.QUEUED);
        assertThat(t.job().attempt()).isEqualTo(2);
        assertThat(t.job().restarts()).isZero();
        assertThat(t.job().placement()).isNull();
        assertThat(t.actions()).containsExactly(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS);
        JobEvent last = t.job().events().get(t.job().events().size() - 1);
        assertThat(last.type()).isEqualTo(EventType.PREEMPTED);
        assertThat(last.message()).contains("checkpoint at step 40");
    }

    @Test
    void aPreemptedJobWhoseWorkersIgnoreTheSignalIsRequeuedWhenItsGraceRunsOut() {
        JobRecord job = preempting();
        ShardReport[] running = {report(0, 1, ShardPhase.RUNNING, null), report(1, 1, ShardPhase.RUNNING, null)};
        assertThat(at(job, "2026-01-01T00:00:29Z", running).changed(job)).isFalse();
        Transition t = at(job, "2026-01-01T00:00:30Z", running);
        assertThat(t.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(t.job().events().get(t.job().events().size() - 1).message()).contains("grace period ran out");
        assertThat(t.actions()).contains(Action.RELEASE_DEVICES);
    }
}
