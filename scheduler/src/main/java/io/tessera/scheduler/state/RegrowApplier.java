package io.tessera.scheduler.state;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.state.PlanApplier.Committed;
import io.tessera.scheduler.state.PlanApplier.Conflict;
import io.tessera.scheduler.state.PlanApplier.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Moves a running job onto a new, larger plan in one transaction, so the capacity it grows into
 * cannot be taken between releasing the old gang and placing the new one. Re-checks everything
 * {@link PlanApplier#commit} does, counting the job's own devices as free; then the old attempt's
 * shards leave the assignment sets (agents stop those workers), the new attempt's shards join them,
 * and the job becomes PLACED at the next attempt without spending a restart.
 */
public final class RegrowApplier {
    private final ClusterStore store;
    private final ChipCatalog catalog;

    public RegrowApplier(ClusterStore store, ChipCatalog catalog) {
        this.store = store;
        this.catalog = catalog;
    }

    /**
     * Swaps attempt {@code attempt} of running job {@code jobId} for {@code plan}.
     *
     * @param why the GROWING event's text
     */
    public Outcome regrow(String jobId, int attempt, Plan plan, String why, String now, Term term) {
        Outcome outcome = store.inTransaction(tx -> {
            Optional<String> fenced = PlanApplier.fence(tx, term);
            if (fenced.isPresent()) {
                return new Conflict(fenced.get());
            }
            Optional<JobRecord> job = tx.jobForUpdate(jobId);
            if (job.isEmpty() || job.get().state() != JobState.RUNNING || job.get().cancelRequested()
                    || job.get().attempt() != attempt) {
                return new Conflict("job " + jobId + " is no longer running at attempt " + attempt);
            }
            JobRecord next = job.get().regrown().withEvent(new JobEvent(now, "GROWING", why));
            Map<String, AssignmentSet> sets = withoutJob(tx, job.get(), plan);
            Map<String, List<ShardAssignment>> added = AssignmentBuilder.build(next, plan, catalog);
            for (Map.Entry<String, List<ShardAssignment>> e : added.entrySet()) {
                AssignmentSet set = sets.get(e.getKey());
                Optional<String> problem = PlanApplier.check(tx.nodeForUpdate(e.getKey()), set, plan, e.getKey());
                if (problem.isPresent()) {
                    return new Conflict(problem.get());
                }
                List<ShardAssignment> shards = new ArrayList<>(set.shards());
                shards.addAll(e.getValue());
                sets.put(e.getKey(), new AssignmentSet(e.getKey(), set.version(), shards));
            }
            sets.values().forEach(s -> tx.putAssignments(new AssignmentSet(s.node(), s.version() + 1, s.shards())));
            JobRecord placed = PlanApplier.placed(next, plan, now);
            tx.putJob(placed);
            return new Committed(placed);
        });
        if (outcome instanceof Committed c) { // the old attempt's reports; the agents' next heartbeats refill the rest
            store.clearShardReports(jobId, Math.max(c.job().previousShards(), plan.shards().size()));
        }
        return outcome;
    }

    /** The assignment sets of every node the old or new plan touches, with the job's old shards taken out. */
    private static Map<String, AssignmentSet> withoutJob(ClusterStore.Tx tx, JobRecord job, Plan plan) {
        TreeSet<String> nodes = new TreeSet<>();
        job.placement().shards().stream().map(ShardPlan::node).forEach(nodes::add);
        plan.shards().stream().map(ShardPlan::node).forEach(nodes::add);
        Map<String, AssignmentSet> out = new TreeMap<>();
        for (String node : nodes) {
            AssignmentSet set = tx.assignmentsForUpdate(node);
            out.put(node, new AssignmentSet(node, set.version(),
                    set.shards().stream().filter(a -> !a.jobId().equals(job.id())).toList()));
        }
        return out;
    }
}
