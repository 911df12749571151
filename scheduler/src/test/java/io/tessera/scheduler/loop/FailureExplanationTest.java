package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.api.JobView;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Failures named right: the shard that died first (by its agent's clock), its signal decoded,
 * its peers marked; a short wait for the gang's other reports; a spec at fault fails at once.
 */
class FailureExplanationTest {
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private static final JobSpec SPEC = new JobSpecParser(ChipCatalog.builtIn()).parse(
            "name: t\ncommand: [w]\nshards: 3\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 6\nrestartLimit: 2\n"
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");
    private static final Plan PLAN = new Plan(Precision.BF16, List.of(
            new ShardPlan(0, "n1", "a1", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(1, "n2", "a2", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10),
            new ShardPlan(2, "n3", "a3", "nvidia-h20", "nvidia", List.of(0), Precision.BF16, 2, 1, 10)),
            30, 0.2, 0.0, Map.of("nvidia", 1.0), List.of());

    private static JobRecord running() {
        return new JobRecord(new JobRecord.Identity("j", 1, "alice", "2026-12-01T09:59:00Z"),
                SPEC,
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0),
                PLAN, List.of(new JobEvent("2026-12-01T09:59:00Z", EventType.PLACED, "")), null, List.of());
    }

    private static ShardReport exited(int shard, int code, long atMs, String... tail) {
        return new ShardReport("j", shard, 1, ShardPhase.EXITED, code, null, 5L, 10L, null, null, null,
                new ShardReport.Exit(atMs, List.of(tail)));
    }

    private static ShardReport runningShard(int shard) {
        return new ShardReport("j", shard, 1, ShardPhase.RUNNING, null, 100L, 5L, 10L, null, null, null);
    }

    private static Transition at(long nowMs, JobRecord job, ShardReport... reports) {
        Map<Integer, ShardReport> map = new HashMap<>();
        for (ShardReport r : reports) {
            map.put(r.shard(), r);
        }
        return JobLifecycle.next(job, new Observation(map, Set.of(), Instant.ofEpochMilli(nowMs).toString()));
    }

    /** Regression: the event named shard 0 (exit 1 from the broken all-reduce) when shard 1 had been killed first. */
    @Test
    void theShardThatDiedFirstIsNamedWithItsSignalAndItsPeersAreMarked() {
        Transition t = at(T0 + 5000, running(), exited(0, 1, T0 + 300, "RuntimeError: all-reduce: connection reset by peer"),
                exited(1, 137, T0, "step 5 done"), exited(2, 1, T0 + 400, "RuntimeError: all-reduce failed"));
        JobEvent failed = t.job().events().stream().filter(e -> e.type() == EventType.SHARD_FAILED).findFirst().orElseThrow();
        assertThat(failed.message()).startsWith("shard 1 was killed by SIGKILL (exit code 137)")
                .contains("its last output line: step 5 done").contains("shards [0, 2] failed after it");
    }

    @Test
    void theGangsOtherReportsAreAwaitedBrieflySoTheFirstFailureIsNotMissed() {
        JobRecord job = running();
        // shard 0 failed because shard 1 died, but shard 1's report has not arrived yet
        Transition early = at(T0 + 500, job, exited(0, 1, T0 + 300, "all-reduce failed"), runningShard(1), runningShard(2));
        assertThat(early.changed(job)).isFalse();
        Transition later = at(T0 + 700, job, exited(0, 1, T0 + 300, "all-reduce failed"), exited(1, 137, T0),
                exited(2, 1, T0 + 350));
        assertThat(later.job().events()).anySatisfy(e -> assertThat(e.message()).startsWith("shard 1 was killed by SIGKILL"));
        // and with no other report to come, the failure stands after the settle time
        Transition overdue = at(T0 + 300 + JobLifecycle.SETTLE_MS, job, exited(0, 1, T0 + 300), runningShard(1), runningShard(2));
        assertThat(overdue.job().events()).anySatisfy(e -> assertThat(e.message()).startsWith("shard 0 exited with code 1"));
    }

    @Test
    void aSpecAtFaultFailsTheJobAtOnceWithoutSpendingARestart() {
        ShardReport refused = new ShardReport("j", 0, 1, ShardPhase.REFUSED, null, null, null, null,
                "the job's user (u) cannot write its checkpoint directory /ckpt/j", null, null);
        Transition t = at(T0, running().withState(JobState.PLACED), refused);
        assertThat(t.job().state()).isEqualTo(JobState.FAILED);
        assertThat(t.job().restarts()).isZero();
        assertThat(t.job().events()).extracting(JobEvent::type).contains(EventType.SHARD_REFUSED, EventType.FAILED).doesNotContain(EventType.RESTARTING);
        assertThat(t.job().events()).anySatisfy(e -> assertThat(e.message()).contains("cannot write its checkpoint directory"));
    }

    /** Regression: a failed job showed its shards as PENDING, since its last attempt's reports were cleared. */
    @Test
    void aJobThatFailsForGoodKeepsItsLastAttemptsReports() {
        JobRecord last = running().withState(JobState.RUNNING);
        last = new JobRecord(new JobRecord.Identity(last.id(), last.seq(), "alice", last.submittedAt()),
                last.spec(),
                new JobRecord.Lifecycle(last.state(), false, 3, 2, 0),
                PLAN, last.events(), null, List.of());
        Transition t = at(T0 + 5000, last, new ShardReport("j", 0, 3, ShardPhase.EXITED, 2, null, (Long) null, null, null, null, null));
        assertThat(t.job().state()).isEqualTo(JobState.FAILED);
        assertThat(t.actions()).containsExactly(Action.RELEASE_DEVICES);
    }

    @Test
    void aRestartBecauseANodeWasLostDoesNotBackOff() {
        Transition t = JobLifecycle.next(running(), new Observation(Map.of(), Set.of("n2"), Instant.ofEpochMilli(T0).toString()));
        JobEvent restarting = t.job().events().stream().filter(e -> e.type() == EventType.RESTARTING).findFirst().orElseThrow();
        assertThat(restarting.attempt()).as("no attempt on the event: the backoff policy lets it go at once").isNull();
        assertThat(t.job().restarts()).isEqualTo(1);
    }

    @Test
    void aCountedRestartCarriesTheAttemptItStarts() {
        Transition t = at(T0 + 5000, running(), exited(0, 2, T0));
        JobEvent restarting = t.job().events().stream().filter(e -> e.type() == EventType.RESTARTING).findFirst().orElseThrow();
        assertThat(restarting.attempt()).isEqualTo(2);
    }

    /** Regression: a cancelled job showed "shard 0 was killed unexpectedly" as its failure (CLI, JSON, web page). */
    @Test
    void aCancelledJobHasNoFailureAndItsKilledShardsWereStopped() {
        JobRecord cancelled = running().withCancelRequested().withState(JobState.CANCELLED);
        Map<Integer, ShardReport> killed = new HashMap<>();
        for (int s = 0; s < 3; s++) {
            killed.put(s, new ShardReport("j", s, 1, ShardPhase.KILLED, 143, null, 5L, 10L, null, null, null,
                    new ShardReport.Exit(T0 + s, List.of("terminated"))));
        }
        JobView view = JobView.of(cancelled, killed, null, T0 + 10_000, null);
        assertThat(view.failure()).isNull();
        assertThat(view.shards()).extracting(s -> s.state().outcome()).containsOnly("STOPPED");

        JobView cancelling = JobView.of(running().withCancelRequested(), killed, null, T0 + 10_000, null);
        assertThat(cancelling.failure()).as("still stopping, as asked").isNull();
        JobView crashed = JobView.of(running(), killed, null, T0 + 10_000, null);
        assertThat(crashed.failure()).as("killed without a cancel is a failure").isNotNull();
    }
}
