package io.tessera.scheduler.loop;

import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.loop.JobLifecycle.Action;
import io.tessera.scheduler.loop.JobLifecycle.Observation;
import io.tessera.scheduler.loop.JobLifecycle.Transition;
import io.tessera.config.QueueSpec;
import io.tessera.config.NetworkConfig;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds each unfinished job's observations to {@link JobLifecycle} and performs the actions it
 * returns. Only jobs whose record or shard reports changed are looked at (and all of them when a
 * node was lost or came back): the lifecycle depends on nothing else, so an idle fleet costs nothing.
 * Each step is a {@link Change.Transition}, committed with the pass's others through the fenced
 * applier and applied only if the job is still the record it was decided on, so a concurrent
 * cancel or heartbeat is never overwritten; a lost race is decided again on the job's next change.
 */
public final class JobReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(JobReconciler.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Clock clock;

    /** The network the communication plan of a replaced shard's new layout is planned for. */
    private NetworkConfig network = NetworkConfig.DEFAULT;

    /** Plans the communication of replaced shards for {@code n} (the cluster's placement network). */
    public JobReconciler withNetwork(NetworkConfig n) {
        this.network = n;
        return this;
    }

    public JobReconciler(ClusterReads store, ClusterView view, Clock clock) {
        this.view = view;
        this.store = store;
        this.clock = clock;
    }

    /** {@link #reconcile} of the jobs the view marked since the last call: one stage alone (tests). */
    public StageDecision reconcileChanged() {
        return reconcile(CycleState.of(view, view.takeJobsToReconcile()));
    }

    /** The next lifecycle step of every job of {@code s} whose inputs changed, for the loop to commit. */
    public StageDecision reconcile(CycleState s) {
        Set<String> lost = s.lostNodes();
        List<JobRecord> changed = s.jobsToReconcile();
        Map<String, QueueSpec> queues = changed.isEmpty() ? Map.of() : store.queues();
        Map<String, Integer> shardsByJob = new HashMap<>();
        changed.forEach(j -> shardsByJob.put(j.id(), j.placement() == null ? 0 : j.placement().shards().size()));
        // One read for every changed job's reports: one round trip per job kept the loop parked on the
        // store for 3.7 s of a 60 s, 9,000-node burst (docs/benchmarks.md).
        Map<String, Map<Integer, ShardReport>> reports = shardsByJob.isEmpty() ? Map.of() : store.shardReports(shardsByJob);
        Predicate<String> healthy = healthyNodes(s);
        List<Change> changes = new ArrayList<>();
        ClusterSnapshot free = s.snapshot();
        for (JobRecord job : changed) {
            long grace = QueueUsage.spec(queues, job.spec().queue()).preemptionGraceMs();
            Optional<Change.ReplaceShards> replace = replaceLost(job, lost, free, s);
            if (replace.isPresent()) {
                free = free.minus(replace.get().plan()); // two jobs in one pass never take the same devices
                changes.add(replace.get());
                continue;
            }
            Optional<Change> next = decide(job, reports.getOrDefault(job.id(), Map.of()), lost, healthy, grace);
            next.or(() -> evacuate(job, grace)).ifPresent(changes::add);
        }
        return StageDecision.of(changes, outcomes -> {
            for (int i = 0; i < changes.size(); i++) {
                if (outcomes.get(i) instanceof PlanApplier.Committed && changes.get(i) instanceof Change.Transition t) {
                    LOG.info("job {} {} -> {}", t.from().id(), t.from().state(), t.to().state());
                } else if (outcomes.get(i) instanceof PlanApplier.Committed && changes.get(i) instanceof Change.Evict e) {
                    LOG.info("job {} evacuating: {}", e.jobId(), e.why());
                } // else it changed under us, or this member no longer leads: decided again on its next change
            }
        });
    }

    /**
     * Whether a worker may be restarted in place on a node: READY, not drained, every device healthy.
     * The set is worked out on the first question of the pass (only failures ask), not every pass.
     */
    private static Predicate<String> healthyNodes(CycleState s) {
        Set<String> out = new HashSet<>();
        boolean[] built = {false};
        return node -> {
            if (!built[0]) {
                built[0] = true;
                for (NodeRecord n : s.nodes()) {
                    if (n.state() == NodeState.READY && !n.drained() && n.devices().stream().allMatch(DeviceReport::healthy)) {
                        out.add(n.name());
                    }
                }
            }
            return out.contains(node);
        };
    }

    /**
     * The shard rung: a RUNNING job that declared {@code recovery.shardReplacements}, with budget left
     * at this attempt, has the shards of its lost nodes placed again alone on free devices of the same
     * chip type ({@link ShardReplacement}); empty when it does not apply or nothing fits, and the
     * lifecycle restarts the gang.
     */
    private Optional<Change.ReplaceShards> replaceLost(JobRecord job, Set<String> lost, ClusterSnapshot free,
                                                      CycleState s) {
        if (job.state() != JobState.RUNNING || job.cancelRequested() || job.placement() == null || lost.isEmpty()
                || RecoveryLadder.used(job, EventType.SHARDS_REPLACED) >= job.spec().scheduling().recoveryOrNone()
                .shardReplacements()) {
            return Optional.empty();
        }
        Set<Integer> ranks = new TreeSet<>();
        Set<String> nodes = new TreeSet<>();
        job.placement().shards().stream().filter(sh -> lost.contains(sh.node())).forEach(sh -> {
            ranks.add(sh.shard());
            nodes.add(sh.node());
        });
        if (ranks.isEmpty() || ranks.size() == job.placement().shards().size()) {
            return Optional.empty(); // nothing lost, or nothing left to keep
        }
        return ShardReplacement.replace(job.placement(), ranks, free, id -> s.catalog().byId(id).orElseThrow(), network)
                .map(plan -> {
                    String why = "node " + String.join(", ", nodes) + " was lost (no heartbeat); shards " + ranks + " ran there";
                    String now = clock.instant().toString();
                    return new Change.ReplaceShards(job.id(), job.attempt(), plan, ranks,
                            j -> RecoveryLadder.replaced(j, ranks, plan.shards().stream().map(ShardPlan::node).toList(),
                                    why, now));
                });
    }

    /**
     * A running job asked to move off a drained node (the API's evacuation): stopped as a preemption
     * victim is, so its workers checkpoint within the grace, then requeued without spending a restart.
     */
    private static Optional<Change> evacuate(JobRecord job, long graceMs) {
        if (job.moveRequested() == null || !(job.state() == JobState.RUNNING || job.state() == JobState.PLACED)) {
            return Optional.empty();
        }
        return Optional.of(new Change.Evict(job.id(), job.attempt(), job.moveRequested()
                + "; its workers checkpoint and stop (grace " + graceMs / 1000 + " s), then it is placed elsewhere "
                + "(not counted against restartLimit)", graceMs, EventType.EVACUATING));
    }

    /** The job's next lifecycle step, if it has one. */
    private Optional<Change> decide(JobRecord job, Map<Integer, ShardReport> reports, Set<String> lost,
                                    Predicate<String> healthy, long stopGraceMs) {
        Transition t = JobLifecycle.next(job, new Observation(reports, lost, clock.instant().toString(), stopGraceMs,
                healthy));
        if (!t.changed(job)) {
            return Optional.empty();
        }
        return Optional.of(new Change.Transition(job, t.job(), t.actions().contains(Action.RELEASE_DEVICES),
                t.actions().contains(Action.CLEAR_SHARD_REPORTS),
                t.actions().contains(Action.PIN_IMAGES) ? ImagePins.digests(job, reports) : Map.of()));
    }
}
