package io.tessera.scheduler.state;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.GangRecovery;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.state.PlanApplier.Committed;
import io.tessera.scheduler.state.PlanApplier.Conflict;
import io.tessera.scheduler.state.PlanApplier.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The changes other than plans, each re-checked against the state inside one fenced transaction
 * ({@link PlanApplier#commit} has checked the fence before any of them runs). Each returns
 * {@link Committed} when it wrote, or a {@link Conflict} naming what no longer holds and writing nothing.
 */
final class ChangeSteps {
    private final ClusterStore.Tx tx;
    private final JobHistory history;
    private final TelemetryStore telemetry;
    private final String now;

    ChangeSteps(ClusterStore.Tx tx, JobHistory history, TelemetryStore telemetry, String now) {
        this.telemetry = telemetry;
        this.tx = tx;
        this.history = history;
        this.now = now;
    }

    Outcome apply(Change change) {
        if (change instanceof Change.Resplit r) {
            return resplit(r);
        } else if (change instanceof Change.Evict e) {
            return evict(e);
        } else if (change instanceof Change.NodeLost n) {
            return nodeLost(n);
        } else if (change instanceof Change.Transition t) {
            return transition(t);
        } else if (change instanceof Change.Note n) {
            return note(n);
        } else if (change instanceof Change.EstimatedStarts e) {
            tx.putEstimatedStarts(e.starts());
            return new Committed(null);
        } else if (change instanceof Change.LearnProfile p) {
            tx.putProfile(p.profile());
            return new Committed(null);
        } else if (change instanceof Change.MoveToHistory m) {
            return moveToHistory(m);
        } else if (change instanceof Change.PurgeHistory p) {
            return purge(p);
        } else if (change instanceof Change.FleetSample f) {
            telemetry.updateFleet(series -> series.with(f.point()));
            return new Committed(null);
        }
        throw new IllegalArgumentException("plans go through the plan path: " + change.kind());
    }

    private Outcome resplit(Change.Resplit r) {
        Optional<JobRecord> job = tx.jobForUpdate(r.jobId());
        Plan plan = r.plan();
        if (job.isEmpty() || job.get().state() != JobState.RUNNING || job.get().attempt() != r.attempt()
                || job.get().placement() == null || job.get().placement().splitVersion() != plan.splitVersion() - 1) {
            return new Conflict("job " + r.jobId() + " is no longer running attempt " + r.attempt()
                    + " on the split before " + plan.splitVersion());
        }
        Map<Integer, ShardPlan> byShard = new HashMap<>();
        plan.shards().forEach(s -> byShard.put(s.shard(), s));
        for (String node : new TreeSet<>(plan.shards().stream().map(ShardPlan::node).toList())) {
            rewrite(node, shards -> shards.stream().map(a -> !a.jobId().equals(r.jobId()) || a.attempt() != r.attempt() ? a
                    : a.withSplit(byShard.get(a.shard()).microBatch(), byShard.get(a.shard()).accumulation(),
                    byShard.get(a.shard()).samplesPerSec(), plan.splitVersion())).toList());
        }
        JobRecord next = job.get().withPlacement(plan).withEvent(new JobEvent(now, EventType.REBALANCED, r.why(), r.attempt(),
                plan.shards().stream().map(ShardPlan::node).toList()));
        tx.putJob(next);
        return new Committed(next);
    }

    private Outcome evict(Change.Evict e) {
        Optional<JobRecord> job = tx.jobForUpdate(e.jobId());
        if (job.isEmpty() || job.get().attempt() != e.attempt()
                || !(job.get().state() == JobState.PLACED || job.get().state() == JobState.RUNNING)) {
            return new Conflict("job " + e.jobId() + " no longer runs attempt " + e.attempt());
        }
        JobRecord next = job.get().withState(JobState.PREEMPTING).withEvent(new JobEvent(now, e.event(), e.why()));
        tx.putJob(next);
        for (String node : nodesOf(job.get())) {
            rewrite(node, shards -> shards.stream().map(a -> a.jobId().equals(e.jobId()) && a.attempt() == e.attempt()
                    && a.stopGraceMs() == null ? a.withStopGrace(e.graceMs()) : a).toList());
        }
        return new Committed(next);
    }

    private Outcome nodeLost(Change.NodeLost n) {
        Optional<NodeRecord> node = tx.nodeForUpdate(n.node());
        if (node.isEmpty() || node.get().state() != NodeState.READY || node.get().lastHeartbeatMs() > n.heardByMs()) {
            return new Conflict("node " + n.node() + " is no longer a silent READY node");
        }
        tx.putNode(node.get().withState(NodeState.LOST));
        return new Committed(null);
    }

    private Outcome transition(Change.Transition t) {
        Optional<JobRecord> job = tx.jobForUpdate(t.from().id());
        if (job.isEmpty() || !job.get().equals(t.from())) {
            return new Conflict("job " + t.from().id() + " changed since the transition was decided");
        }
        tx.putJob(t.to());
        if (t.releaseDevices()) {
            for (String node : nodesOf(t.from())) {
                rewrite(node, shards -> shards.stream().filter(a -> !a.jobId().equals(t.from().id())).toList());
            }
        }
        if (!t.pins().isEmpty()) {
            for (String node : nodesOf(t.from())) {
                rewrite(node, shards -> shards.stream().map(a -> a.jobId().equals(t.from().id())
                        && a.attempt() == t.from().attempt() && t.pins().containsKey(a.shard())
                        ? a.withImageDigest(t.pins().get(a.shard())) : a).toList());
            }
        }
        if (!t.releaseDevices() && !t.to().recovery().equals(t.from().recovery())) {
            GangRecovery r = t.to().recovery(); // restarted in place: each shard's incarnation, the gang's generation
            for (String node : nodesOf(t.from())) {
                rewrite(node, shards -> shards.stream().map(a -> a.jobId().equals(t.from().id())
                        && a.attempt() == t.from().attempt() ? a.withIncarnation(r.incarnation(a.shard()), r.generation())
                        : a).toList());
            }
        }
        if (t.clearReports() && t.from().placement() != null) {
            tx.clearShardReports(t.from().id(), t.from().placement().shards().size());
        }
        return new Committed(t.to());
    }

    private Outcome note(Change.Note n) {
        Optional<JobRecord> job = tx.jobForUpdate(n.jobId());
        if (job.isEmpty()) {
            return new Conflict("job " + n.jobId() + " is gone");
        }
        JobRecord next = n.edit().apply(job.get());
        if (!next.equals(job.get())) {
            tx.putJob(next);
        }
        return new Committed(next);
    }

    private Outcome moveToHistory(Change.MoveToHistory m) {
        Optional<JobRecord> job = tx.jobForUpdate(m.job().id());
        if (history == null) {
            return new Conflict("this applier keeps no history");
        }
        if (job.isEmpty() || !job.get().state().terminal() || job.get().state() != m.job().state()
                || job.get().attempt() != m.job().attempt()) {
            return new Conflict("job " + m.job().id() + " is no longer finished as it was");
        }
        history.add(m.archived(), m.finishedAtMs()); // idempotent: a rolled-back move is redone whole
        telemetry.get(m.job().id()).ifPresent(t -> { // the curve goes with the job; a redo finds it moved already
            history.addTelemetry(t);
            telemetry.delete(t.jobId());
        });
        tx.clearShardReports(m.job().id(), m.shards());
        tx.deleteJob(m.job().id());
        return new Committed(m.archived());
    }

    private Outcome purge(Change.PurgeHistory p) {
        if (history == null) {
            return new Conflict("this applier keeps no history");
        }
        history.purgeFinishedBefore(p.cutoffMs());
        return new Committed(null);
    }

    private static List<String> nodesOf(JobRecord job) {
        return job.placement() == null ? List.of()
                : new TreeSet<>(job.placement().shards().stream().map(ShardPlan::node).toList()).stream().toList();
    }

    /** Rewrites {@code node}'s assignment set by {@code change}, if it changes anything. */
    private void rewrite(String node, UnaryOperator<List<ShardAssignment>> change) {
        AssignmentSet set = tx.assignmentsForUpdate(node);
        List<ShardAssignment> next = change.apply(set.shards());
        if (!next.equals(set.shards())) {
            tx.putAssignments(new AssignmentSet(node, set.version() + 1, next));
        }
    }
}
