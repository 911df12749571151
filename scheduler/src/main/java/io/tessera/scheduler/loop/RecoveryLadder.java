package io.tessera.scheduler.loop;

import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.GangRecovery;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.ShardOutcomes;
import io.tessera.scheduler.placement.ShardPlan;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The recovery ladder's cheaper rungs, as pure decisions for {@link JobLifecycle}: which rung a
 * failed attempt takes, and when a rung taken is over. The rungs, cheapest first:
 * <ol>
 *   <li>{@link Rung#PROCESS}: the failed workers are restarted in place, at the same attempt, while
 *       the healthy shards keep their processes and re-form the gang with them. Taken when the job
 *       declared {@code recovery.processRestarts}, its budget for this attempt covers every failed
 *       shard, at least one shard is still healthy, and every failed shard's node is healthy (in the
 *       fleet, not suspect, its devices healthy). A worker that failed before it ever ran, or that
 *       the agent refused, is the node's or the spec's fault and never takes this rung.</li>
 *   <li>The shard rung, for a lost node ({@link ShardReplacement}, decided by {@link JobReconciler} with
 *       the free devices in view): its shards are placed again alone at the same attempt.</li>
 *   <li>{@link Rung#GANG}: today's restart of the whole gang from its last checkpoint.</li>
 * </ol>
 * Every rung taken is an event: {@link EventType#PROCESS_RESTARTED} with the exit and the budget
 * left, then {@link EventType#RECOVERED} with the time the gang was short of the shard.
 */
public final class RecoveryLadder {
    private RecoveryLadder() {
    }

    /** The rungs. */
    public enum Rung { PROCESS, GANG }

    /**
     * The rung {@code job} takes for {@code failed}, the failed reports of its current workers, with
     * {@code healthyNodes} saying which of its nodes may keep a worker.
     */
    public static Rung choose(JobRecord job, List<ShardReport> failed, Predicate<String> healthyNodes) {
        int budget = job.spec().scheduling().recoveryOrNone().processRestarts();
        int shards = job.placement().shards().size();
        if (budget == 0 || failed.isEmpty() || failed.size() >= shards
                || used(job, EventType.PROCESS_RESTARTED) + failed.size() > budget) {
            return Rung.GANG;
        }
        Map<Integer, String> nodeOf = job.placement().shards().stream()
                .collect(Collectors.toMap(ShardPlan::shard, ShardPlan::node));
        boolean inPlace = failed.stream().allMatch(r -> r.phase() == ShardPhase.EXITED
                && healthyNodes.test(nodeOf.get(r.shard())));
        return inPlace ? Rung.PROCESS : Rung.GANG;
    }

    /** How many times {@code job}'s current attempt took the rung recorded as {@code rung} (its events of that attempt). */
    public static int used(JobRecord job, EventType rung) {
        return (int) job.events().stream().filter(e -> e.type() == rung && e.attempt() != null
                && e.attempt() == job.attempt()).count();
    }

    /**
     * The shard rung's record: the replaced shards' next incarnations, and the event saying where
     * they went, with every shard's node in the new layout (where each shard's log now is).
     */
    public static JobRecord replaced(JobRecord job, Set<Integer> shards, List<String> shardNodes, String why, String now) {
        GangRecovery r = job.recovery();
        long at = Instant.parse(now).toEpochMilli();
        for (int shard : shards) {
            r = r.restarted(shard, at);
        }
        int budget = job.spec().scheduling().recoveryOrNone().shardReplacements();
        return job.withRecovery(r).withEvent(new JobEvent(now, EventType.SHARDS_REPLACED, why + "; replaced alone at "
                + "attempt " + job.attempt() + " while the other shards keep running (replacement "
                + (used(job, EventType.SHARDS_REPLACED) + 1) + " of " + budget + " this attempt; the gang re-forms at "
                + "generation " + r.generation() + ")", job.attempt(), shardNodes));
    }

    /** The process rung for {@code job}'s failed workers, if it is the rung to take; empty: climb on. */
    static Optional<Transition> restartInPlace(JobRecord job, List<ShardReport> current, Observation obs) {
        List<ShardReport> failed = current.stream().filter(ShardOutcomes::failed).toList();
        if (choose(job, failed, obs.healthyNodes()) != Rung.PROCESS) {
            return Optional.empty();
        }
        long now = Instant.parse(obs.now()).toEpochMilli();
        GangRecovery r = job.recovery();
        JobRecord next = job;
        int budget = job.spec().scheduling().recoveryOrNone().processRestarts();
        for (ShardReport f : failed) {
            r = r.restarted(f.shard(), f.exit() == null ? now : Math.min(now, f.exit().atMs()));
            next = next.withEvent(new JobEvent(obs.now(), EventType.PROCESS_RESTARTED, ShardOutcomes.describe(f)
                    + "; its node is healthy, so it restarts in place as incarnation " + r.incarnation(f.shard())
                    + " at attempt " + job.attempt() + " while the other shards keep running (restart in place "
                    + (used(next, EventType.PROCESS_RESTARTED) + 1) + " of " + budget
                    + " this attempt; the gang re-forms at generation " + r.generation() + ")", job.attempt(), null));
        }
        return Optional.of(new Transition(next.withRecovery(r), List.of()));
    }

    /** The shards restarted in place whose new worker now runs: a RECOVERED event each, and the record. */
    static Optional<Transition> returned(JobRecord job, List<ShardReport> current, String now) {
        GangRecovery r = job.recovery();
        if (r.downSinceMs().isEmpty()) {
            return Optional.empty();
        }
        Map<Integer, ShardReport> byShard = current.stream().collect(Collectors.toMap(ShardReport::shard,
                Function.identity(), (a, b) -> b));
        JobRecord next = job;
        GangRecovery after = r;
        for (Map.Entry<Integer, Long> down : r.downSinceMs().entrySet()) {
            ShardReport rep = byShard.get(down.getKey());
            if (rep != null && rep.phase() == ShardPhase.RUNNING) {
                double sec = Math.max(0, Instant.parse(now).toEpochMilli() - down.getValue()) / 1000.0;
                after = after.back(down.getKey());
                next = next.withEvent(new JobEvent(now, EventType.RECOVERED, String.format(Locale.ROOT,
                        "shard %d runs again as incarnation %d, %.1f s after its worker stopped (the gang stayed at "
                        + "attempt %d)", down.getKey(), r.incarnation(down.getKey()), sec, job.attempt())));
            }
        }
        return after == r ? Optional.empty() : Optional.of(new Transition(next.withRecovery(after), List.of()));
    }
}
