package io.tessera.scheduler.state;

import io.tessera.scheduler.leader.Term;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The one commit path for plans. In one fenced transaction it re-checks the plan against live
 * state (the job still in the expected state at the same attempt; every node READY; every device
 * present, healthy, of the planned chip type and unassigned) and then writes the nodes' assignment
 * sets and the job as PLACED. On any mismatch nothing is written and a {@link Conflict} says why,
 * so the caller re-plans on a fresh snapshot. Placing a queued job ({@link #commit}) and moving a
 * running one ({@link #regrow}) are two {@link Change}s of that one path. Also releases a job's devices.
 */
public final class PlanApplier {
    private final ClusterStore store;
    private final ChipCatalog catalog;

    public PlanApplier(ClusterStore store, ChipCatalog catalog) {
        this.store = store;
        this.catalog = catalog;
    }

    /** The result of a commit. */
    public sealed interface Outcome permits Committed, Conflict {
    }

    public record Committed(JobRecord job) implements Outcome {
    }

    public record Conflict(String reason) implements Outcome {
    }

    /** A queued job's plan, proposed for commit. */
    public record Proposal(String jobId, int attempt, Plan plan) {
    }

    /** Re-validates and commits {@code plan} for attempt {@code attempt} of queued job {@code jobId}, under {@code term}. */
    public Outcome commit(String jobId, int attempt, Plan plan, String now, Term term) {
        return commitAll(List.of(new Proposal(jobId, attempt, plan)), now, term).get(0);
    }

    /**
     * Commits several queued jobs' plans in one fenced transaction, each re-checked against live
     * state and against the plans before it in the list (so two plans cannot take one device):
     * the outcomes, in order. A plan that conflicts is left out and the others still commit.
     */
    public List<Outcome> commitAll(List<Proposal> proposals, String now, Term term) {
        return apply(proposals.stream().map(p -> new Change(p.jobId(), p.attempt(), p.plan(), JobState.QUEUED,
                job -> job, false)).toList(), now, term);
    }

    /**
     * Moves running job {@code jobId} (attempt {@code attempt}) onto {@code plan} in one
     * transaction, so the capacity it grows into cannot be taken between releasing the old gang
     * and placing the new one: the job's own devices count as free, the old attempt's shards leave
     * the assignment sets, and the job becomes PLACED at the next attempt without spending a restart.
     *
     * @param event the event's type: GROWING (an elastic job onto more shards) or MIGRATING (onto other chips)
     * @param why   the event's text
     */
    public Outcome regrow(String jobId, int attempt, Plan plan, String event, String why, String now, Term term) {
        Outcome outcome = apply(List.of(new Change(jobId, attempt, plan, JobState.RUNNING,
                job -> job.regrown().withEvent(new JobEvent(now, event, why)), true)), now, term).get(0);
        if (outcome instanceof Committed c) { // the old attempt's reports; the agents' next heartbeats refill the rest
            store.clearShardReports(jobId, Math.max(c.job().previousShards(), plan.shards().size()));
        }
        return outcome;
    }

    /**
     * What a commit changes besides placing the plan.
     *
     * @param expected   the state the job must still be in
     * @param prepare    the job record before it is placed (a new attempt, an event)
     * @param releaseOwn whether the job's current shards leave their nodes in the same transaction
     */
    private record Change(String jobId, int attempt, Plan plan, JobState expected,
                          UnaryOperator<JobRecord> prepare, boolean releaseOwn) {
    }

    /**
     * The one commit path: fenced, re-checked against live state, all or nothing for each change.
     * Every key is read for update first, in sorted order (jobs, then nodes and their sets), so
     * transactions lock in one order; then each change is checked against the state the changes
     * before it leave, and only what passed is written, each node's set once.
     */
    private List<Outcome> apply(List<Change> changes, String now, Term term) {
        return store.inTransaction(tx -> {
            Optional<String> fenced = fence(tx, term);
            if (fenced.isPresent()) {
                return changes.stream().map(c -> (Outcome) new Conflict(fenced.get())).toList();
            }
            Map<String, Optional<JobRecord>> jobs = new java.util.TreeMap<>();
            changes.forEach(c -> jobs.put(c.jobId(), null));
            jobs.replaceAll((id, none) -> tx.jobForUpdate(id));
            Map<String, Optional<NodeRecord>> nodes = new java.util.TreeMap<>();
            Map<String, AssignmentSet> sets = new java.util.TreeMap<>();
            for (Change c : changes) {
                c.plan().shards().forEach(s -> nodes.put(s.node(), null));
                jobs.get(c.jobId()).filter(j -> c.releaseOwn() && j.placement() != null)
                        .ifPresent(j -> j.placement().shards().forEach(s -> nodes.put(s.node(), null)));
            }
            for (String node : nodes.keySet()) {
                nodes.put(node, tx.nodeForUpdate(node));
                sets.put(node, tx.assignmentsForUpdate(node));
            }
            java.util.Set<String> written = new java.util.TreeSet<>();
            List<Outcome> out = new ArrayList<>();
            for (Change c : changes) {
                Outcome o = applyOne(c, jobs.get(c.jobId()), nodes, sets, written, now);
                if (o instanceof Committed done) {
                    jobs.put(c.jobId(), Optional.of(done.job()));
                    tx.putJob(done.job());
                }
                out.add(o);
            }
            written.forEach(n -> tx.putAssignments(new AssignmentSet(n, sets.get(n).version() + 1, sets.get(n).shards())));
            return out;
        });
    }

    /** Checks one change against {@code sets} as the changes before it left them; on success updates them. */
    private Outcome applyOne(Change change, Optional<JobRecord> job, Map<String, Optional<NodeRecord>> nodes,
                             Map<String, AssignmentSet> sets, java.util.Set<String> written, String now) {
        if (job.isEmpty() || job.get().state() != change.expected() || job.get().cancelRequested()
                || job.get().attempt() != change.attempt()) {
            return new Conflict("job " + change.jobId() + " is no longer " + change.expected().name().toLowerCase(Locale.ROOT)
                    + " at attempt " + change.attempt());
        }
        JobRecord next = change.prepare().apply(job.get());
        Map<String, AssignmentSet> mine = new java.util.TreeMap<>();
        if (change.releaseOwn() && job.get().placement() != null) {
            job.get().placement().shards().forEach(s -> mine.put(s.node(), without(sets.get(s.node()), job.get().id())));
        }
        Set<Integer> taken = AssignmentBuilder.portsInUse(change.plan().shards().stream().map(ShardPlan::node).distinct()
                .map(n -> mine.getOrDefault(n, sets.get(n))).toList(), next.id());
        Plan plan = AssignmentBuilder.completed(next, change.plan(), catalog,
                n -> nodes.get(n).map(NodeRecord::labels).orElse(Map.of()), taken);
        for (Map.Entry<String, List<ShardAssignment>> e : AssignmentBuilder.build(next, plan, catalog).entrySet()) {
            AssignmentSet set = mine.getOrDefault(e.getKey(), sets.get(e.getKey()));
            Optional<String> problem = check(nodes.get(e.getKey()), set, plan, e.getKey());
            if (problem.isPresent()) {
                return new Conflict(problem.get());
            }
            List<ShardAssignment> shards = new ArrayList<>(set.shards());
            shards.addAll(e.getValue());
            mine.put(e.getKey(), new AssignmentSet(e.getKey(), set.version(), shards));
        }
        sets.putAll(mine);
        written.addAll(mine.keySet());
        return new Committed(placed(next, plan, now));
    }

    private static AssignmentSet without(AssignmentSet set, String jobId) {
        return new AssignmentSet(set.node(), set.version(), set.shards().stream().filter(a -> !a.jobId().equals(jobId)).toList());
    }

    /** {@code job} as PLACED on {@code plan}, with a SHRUNK or GREW event when its shard count changed. */
    static JobRecord placed(JobRecord job, Plan plan, String now) {
        JobRecord placed = job.withPlacement(plan).withState(JobState.PLACED)
                .withEvent(new JobEvent(now, "PLACED", describe(plan), job.attempt(),
                        plan.shards().stream().map(s -> s.node()).toList()));
        int before = job.previousShards();
        if (before > 0 && before != plan.shards().size()) {
            placed = placed.withEvent(new JobEvent(now, before > plan.shards().size() ? "SHRUNK" : "GREW",
                    "attempt " + job.attempt() + " runs " + plan.shards().size() + " shards instead of " + before
                            + " on vendors " + new java.util.TreeSet<>(plan.vendorShares().keySet())
                            + "; the global batch is re-split and training resumes from the last checkpoint"));
        }
        return placed;
    }

    /**
     * Re-splits running job {@code jobId}'s batch in one fenced transaction: if the job is still
     * RUNNING at {@code attempt} on the split before {@code plan}'s, its plan becomes {@code plan}
     * with a REBALANCED event saying {@code why}, and each of its shards' assignments takes the new
     * micro-batch, accumulation and split version. The same attempt goes on: workers adopt the split
     * at their next checkpoint, and no restart is spent.
     */
    public Outcome resplit(String jobId, int attempt, Plan plan, String why, String now, Term term) {
        return store.inTransaction(tx -> {
            Optional<String> fenced = fence(tx, term);
            Optional<JobRecord> job = tx.jobForUpdate(jobId);
            if (fenced.isPresent()) {
                return new Conflict(fenced.get());
            }
            if (job.isEmpty() || job.get().state() != JobState.RUNNING || job.get().attempt() != attempt
                    || job.get().placement() == null || job.get().placement().splitVersion() != plan.splitVersion() - 1) {
                return new Conflict("job " + jobId + " is no longer running attempt " + attempt + " on the split before "
                        + plan.splitVersion());
            }
            Map<Integer, ShardPlan> byShard = new java.util.HashMap<>();
            plan.shards().forEach(s -> byShard.put(s.shard(), s));
            for (String node : new java.util.TreeSet<>(plan.shards().stream().map(ShardPlan::node).toList())) {
                AssignmentSet set = tx.assignmentsForUpdate(node);
                tx.putAssignments(new AssignmentSet(node, set.version() + 1, set.shards().stream()
                        .map(a -> !a.jobId().equals(jobId) || a.attempt() != attempt ? a : a.withSplit(
                                byShard.get(a.shard()).microBatch(), byShard.get(a.shard()).accumulation(),
                                byShard.get(a.shard()).samplesPerSec(), plan.splitVersion())).toList()));
            }
            JobRecord next = job.get().withPlacement(plan).withEvent(new JobEvent(now, "REBALANCED", why, attempt,
                    plan.shards().stream().map(ShardPlan::node).toList()));
            tx.putJob(next);
            return new Committed(next);
        });
    }

    /** Why {@code term} may not write: another member claimed a later epoch. Empty when it still leads. */
    static Optional<String> fence(ClusterStore.Tx tx, Term term) {
        Optional<ClusterStore.LeaderClaim> current = tx.leaderForUpdate();
        if (current.isEmpty() || current.get().epoch() != term.epoch() || !current.get().member().equals(term.member())) {
            return Optional.of("fenced: this member's term (epoch " + term.epoch() + ") is over; current is "
                    + current.map(c -> "epoch " + c.epoch()).orElse("none"));
        }
        return Optional.empty();
    }

    /**
     * Tells the agents to stop {@code job}'s shards of its current attempt gracefully: each stays
     * in its node's set (its devices stay taken) with a stop request, so the worker gets SIGTERM and
     * {@code graceMs} to checkpoint before SIGKILL.
     */
    public void stopGracefully(JobRecord job, long graceMs) {
        rewriteSets(job, shards -> shards.stream().map(a -> a.jobId().equals(job.id()) && a.attempt() == job.attempt()
                && a.stopGraceMs() == null ? a.withStopGrace(graceMs) : a).toList());
    }

    /** Removes every shard of {@code job} from the assignment sets of the nodes its plan used. */
    public void release(JobRecord job) {
        rewriteSets(job, shards -> shards.stream().filter(a -> !a.jobId().equals(job.id())).toList());
    }

    /** In one transaction, rewrites the assignment set of each node of {@code job}'s plan that {@code change} alters. */
    private void rewriteSets(JobRecord job, UnaryOperator<List<ShardAssignment>> change) {
        if (job.placement() == null) {
            return;
        }
        Set<String> nodes = job.placement().shards().stream().map(ShardPlan::node).collect(Collectors.toSet());
        store.inTransaction(tx -> {
            for (String node : nodes) {
                AssignmentSet set = tx.assignmentsForUpdate(node);
                List<ShardAssignment> next = change.apply(set.shards());
                if (!next.equals(set.shards())) {
                    tx.putAssignments(new AssignmentSet(node, set.version() + 1, next));
                }
            }
            return null;
        });
    }

    static Optional<String> check(Optional<NodeRecord> node, AssignmentSet set, Plan plan, String name) {
        if (node.isEmpty() || node.get().state() != NodeState.READY || node.get().drained()) {
            return Optional.of("node " + name + " is not ready, or is drained");
        }
        Set<Integer> used = SnapshotBuilder.usedDevices(set);
        for (ShardPlan s : plan.shards()) {
            if (!s.node().equals(name)) {
                continue;
            }
            for (int index : s.devices()) {
                Optional<DeviceReport> d = node.get().devices().stream().filter(x -> x.index() == index).findFirst();
                if (d.isEmpty() || !d.get().healthy() || !d.get().chipType().equals(s.chipType())) {
                    return Optional.of("device " + index + " on " + name + " is gone, unhealthy or of another type");
                }
                if (used.contains(index)) {
                    return Optional.of("device " + index + " on " + name + " was taken meanwhile");
                }
            }
        }
        return Optional.empty();
    }

    private static String describe(Plan plan) {
        Map<String, Long> perChip = plan.shards().stream()
                .collect(Collectors.groupingBy(ShardPlan::chipType, java.util.TreeMap::new, Collectors.counting()));
        return String.format(Locale.ROOT, "placed %d shards at %s: %s; predicted %.1f samples/s, %.3f s per step",
                plan.shards().size(), plan.precision().wireName(), perChip, plan.predictedSamplesPerSec(),
                plan.stepTimeSec());
    }
}
