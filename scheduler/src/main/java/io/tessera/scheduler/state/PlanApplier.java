package io.tessera.scheduler.state;

import io.tessera.scheduler.model.EventType;
import java.util.TreeMap;
import java.util.TreeSet;
import io.tessera.scheduler.leader.Term;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.GangRecovery;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The one commit path of the leader: Tessera's plan applier. Every write the scheduling loop
 * makes is a typed {@link Change}, and {@link #commit} writes a list of them in one transaction
 * fenced by the leader's {@link Term}: if another member has claimed a later term, nothing is
 * written and every change is a {@link Conflict} saying so. Otherwise each change is re-checked
 * against live state as the changes before it leave it, in order (a plan: the job still in the expected state
 * at the same attempt, every node READY, every device present, healthy, of the planned chip type
 * and unassigned; a transition: the job still exactly as decided; a node loss: the node still
 * silent), and only what passes is written; the rest comes back as conflicts for the next pass.
 */
public final class PlanApplier {
    private final ClusterStore store;
    private final ChipCatalog catalog;
    private final JobHistory history;
    private final Observer observer;
    private final HostPeers peers;

    /**
     * The other nodes on the same host as a node (the same address): their shards' rendezvous
     * ports are the host's too, so a plan's ports are chosen away from theirs as well.
     */
    @FunctionalInterface
    public interface HostPeers {
        HostPeers NONE = node -> List.of();

        Collection<String> of(String node);
    }

    /** Told of every change's outcome, after its transaction: metrics, and tests that watch a leader. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (kind, outcome) -> { };

        void outcome(Change.Kind kind, Outcome outcome);
    }

    /** Without a history: a {@link Change.MoveToHistory} conflicts (tests of placement alone). */
    public PlanApplier(ClusterStore store, ChipCatalog catalog) {
        this(store, catalog, null, Observer.NONE, HostPeers.NONE);
    }

    /**
     * @param history  where finished jobs go ({@link Change.MoveToHistory}); written inside the fenced
     *                 transaction, after the fence, so a deposed leader never writes it
     * @param observer told of each outcome
     * @param peers    the nodes that share a host with a node (none where every node has its own address)
     */
    public PlanApplier(ClusterStore store, ChipCatalog catalog, JobHistory history, Observer observer, HostPeers peers) {
        this.peers = peers;
        this.store = store;
        this.catalog = catalog;
        this.history = history;
        this.observer = observer;
    }

    /** The result of a change. */
    public sealed interface Outcome permits Committed, Conflict {
    }

    /** Written; {@code job} is the job as written, or null for a change of no job. */
    public record Committed(JobRecord job) implements Outcome {
    }

    public record Conflict(String reason) implements Outcome {
        /** Whether the change was refused because this member's term is over. */
        public boolean fenced() {
            return reason.startsWith(FENCED);
        }
    }

    private static final String FENCED = "fenced: ";

    /** A queued job's plan, proposed for commit. */
    public record Proposal(String jobId, int attempt, Plan plan) {
    }

    /**
     * Commits {@code changes} under {@code term} in one transaction: the outcomes, in order. Plans
     * (places and regrows) are checked against each other too, so two cannot take one device.
     */
    public List<Outcome> commit(Term term, String now, List<? extends Change> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        List<Outcome> out = store.inTransaction(tx -> {
            Optional<String> fenced = fence(tx, term);
            if (fenced.isPresent()) {
                return changes.stream().map(c -> (Outcome) new Conflict(fenced.get())).toList();
            }
            List<Outcome> outcomes = new ArrayList<>(changes.size());
            ChangeSteps steps = new ChangeSteps(tx, history, store.telemetry(), now);
            int i = 0;
            while (i < changes.size()) {
                List<PlanChange> run = new ArrayList<>(); // consecutive plans: checked against each other at once
                for (Optional<PlanChange> p; i < changes.size() && (p = planChange(changes.get(i), now)).isPresent(); i++) {
                    run.add(p.get());
                }
                if (run.isEmpty()) {
                    outcomes.add(steps.apply(changes.get(i++)));
                } else {
                    outcomes.addAll(applyPlans(tx, run, now));
                }
            }
            return List.copyOf(outcomes);
        });
        for (int i = 0; i < changes.size(); i++) {
            observer.outcome(changes.get(i).kind(), out.get(i));
        }
        return out;
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
        return commit(term, now, proposals.stream().map(p -> new Change.Place(p.jobId(), p.attempt(), p.plan())).toList());
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
    public Outcome regrow(String jobId, int attempt, Plan plan, EventType event, String why, String now, Term term) {
        return commit(term, now, List.of(new Change.Regrow(jobId, attempt, plan, event, why))).get(0);
    }

    /**
     * Re-splits running job {@code jobId}'s batch: see {@link Change.Resplit}. The same attempt goes
     * on: workers adopt the split at their next checkpoint, and no restart is spent.
     */
    public Outcome resplit(String jobId, int attempt, Plan plan, String why, String now, Term term) {
        return commit(term, now, List.of(new Change.Resplit(jobId, attempt, plan, why))).get(0);
    }

    /** A place or regrow as the plan path takes it; empty for any other change. */
    private static Optional<PlanChange> planChange(Change change, String now) {
        if (change instanceof Change.Place p) {
            return Optional.of(new PlanChange(p.jobId(), p.attempt(), p.plan(), JobState.QUEUED, job -> job, false, false));
        }
        if (change instanceof Change.Regrow r) {
            return Optional.of(new PlanChange(r.jobId(), r.attempt(), r.plan(), JobState.RUNNING,
                    job -> job.regrown().withEvent(new JobEvent(now, r.event(), r.why())), true, false));
        }
        if (change instanceof Change.ReplaceShards r) {
            return Optional.of(new PlanChange(r.jobId(), r.attempt(), r.plan(), JobState.RUNNING,
                    r.edit(), true, true));
        }
        return Optional.empty();
    }

    /**
     * What a commit changes besides placing the plan.
     *
     * @param expected   the state the job must still be in
     * @param prepare    the job record before it is placed (a new attempt, an event)
     * @param releaseOwn whether the job's current shards leave their nodes in the same transaction
     * @param sameAttempt the shard rung: the plan replaces some shards of the running attempt, which keeps its
     *                    state, its survivors' reports and its events but one; otherwise the job is PLACED anew
     */
    private record PlanChange(String jobId, int attempt, Plan plan, JobState expected,
                              UnaryOperator<JobRecord> prepare, boolean releaseOwn, boolean sameAttempt) {
    }

    /**
     * The plans of one commit, after the fence: re-checked against live state, all or nothing for
     * each. Every key is read for update first, in sorted order (jobs, then nodes and their sets),
     * so transactions lock in one order; then each change is checked against the state the changes
     * before it leave, and only what passed is written, each node's set once. A regrow's old
     * attempt's shard reports are forgotten in the same transaction.
     */
    private List<Outcome> applyPlans(ClusterStore.Tx tx, List<PlanChange> changes, String now) {
        if (changes.isEmpty()) {
            return List.of();
        }
        {
            Map<String, Optional<JobRecord>> jobs = new TreeMap<>();
            changes.forEach(c -> jobs.put(c.jobId(), null));
            jobs.replaceAll((id, none) -> tx.jobForUpdate(id));
            Map<String, Optional<NodeRecord>> nodes = new TreeMap<>();
            Map<String, AssignmentSet> sets = new TreeMap<>();
            for (PlanChange c : changes) {
                c.plan().shards().forEach(s -> {
                    nodes.put(s.node(), null);
                    peers.of(s.node()).forEach(p -> nodes.put(p, null)); // read for their ports
                });
                jobs.get(c.jobId()).filter(j -> c.releaseOwn() && j.placement() != null)
                        .ifPresent(j -> j.placement().shards().forEach(s -> nodes.put(s.node(), null)));
            }
            for (String node : nodes.keySet()) {
                nodes.put(node, tx.nodeForUpdate(node));
                sets.put(node, tx.assignmentsForUpdate(node));
            }
            Set<String> written = new TreeSet<>();
            List<Outcome> out = new ArrayList<>();
            for (PlanChange c : changes) {
                int shardsBefore = jobs.get(c.jobId()).map(j -> j.placement() == null ? 0 : j.placement().shards().size())
                        .orElse(0);
                Outcome o = applyOne(c, jobs.get(c.jobId()), nodes, sets, written, now);
                if (o instanceof Committed done) {
                    jobs.put(c.jobId(), Optional.of(done.job()));
                    tx.putJob(done.job());
                    if (c.releaseOwn() && !c.sameAttempt()) { // the old attempt's reports; heartbeats refill the rest
                        tx.clearShardReports(c.jobId(), Math.max(shardsBefore, c.plan().shards().size()));
                    }
                }
                out.add(o);
            }
            written.forEach(n -> tx.putAssignments(new AssignmentSet(n, sets.get(n).version() + 1, sets.get(n).shards())));
            return out;
        }
    }

    /** Checks one change against {@code sets} as the changes before it left them; on success updates them. */
    private Outcome applyOne(PlanChange change, Optional<JobRecord> job, Map<String, Optional<NodeRecord>> nodes,
                             Map<String, AssignmentSet> sets, Set<String> written, String now) {
        if (job.isEmpty() || job.get().state() != change.expected() || job.get().cancelRequested()
                || job.get().attempt() != change.attempt()) {
            return new Conflict("job " + change.jobId() + " is no longer " + change.expected().name().toLowerCase(Locale.ROOT)
                    + " at attempt " + change.attempt());
        }
        JobRecord next = change.prepare().apply(job.get());
        Map<String, AssignmentSet> mine = new TreeMap<>();
        if (change.releaseOwn() && job.get().placement() != null) {
            job.get().placement().shards().forEach(s -> mine.put(s.node(), without(sets.get(s.node()), job.get().id())));
        }
        List<String> near = change.plan().shards().stream().map(ShardPlan::node)
                .flatMap(n -> Stream.concat(Stream.of(n), peers.of(n).stream())).distinct().toList();
        Set<Integer> taken = AssignmentBuilder.portsInUse(near.stream().map(n -> mine.getOrDefault(n, sets.get(n))).toList(),
                next.id());
        change.plan().shards().forEach(s -> nodes.get(s.node()).ifPresent(n -> taken.addAll(n.busyPorts()))); // N8
        Plan plan = AssignmentBuilder.completed(next, change.plan(), catalog,
                n -> nodes.get(n).map(NodeRecord::labels).orElse(Map.of()), taken);
        GangRecovery r = next.recovery(); // the shard rung: each shard's incarnation and the gang's generation
        for (Map.Entry<String, List<ShardAssignment>> e : AssignmentBuilder.build(next, plan, catalog).entrySet()) {
            AssignmentSet set = mine.getOrDefault(e.getKey(), sets.get(e.getKey()));
            Optional<String> problem = check(nodes.get(e.getKey()), set, plan, e.getKey());
            if (problem.isPresent()) {
                return new Conflict(problem.get());
            }
            List<ShardAssignment> shards = new ArrayList<>(set.shards());
            e.getValue().forEach(a -> shards.add(a.withIncarnation(r.incarnation(a.shard()), r.generation())));
            mine.put(e.getKey(), new AssignmentSet(e.getKey(), set.version(), shards));
        }
        sets.putAll(mine);
        written.addAll(mine.keySet());
        return new Committed(change.sameAttempt() ? next.withPlacement(plan) : placed(next, plan, now));
    }

    private static AssignmentSet without(AssignmentSet set, String jobId) {
        return new AssignmentSet(set.node(), set.version(), set.shards().stream().filter(a -> !a.jobId().equals(jobId)).toList());
    }

    /** {@code job} as PLACED on {@code plan}, with a SHRUNK or GREW event when its shard count changed. */
    static JobRecord placed(JobRecord job, Plan plan, String now) {
        JobRecord placed = job.withPlacement(plan).withState(JobState.PLACED)
                .withEvent(new JobEvent(now, EventType.PLACED, describe(plan), job.attempt(),
                        plan.shards().stream().map(s -> s.node()).toList()));
        int before = job.previousShards();
        if (before > 0 && before != plan.shards().size()) {
            placed = placed.withEvent(new JobEvent(now, before > plan.shards().size() ? EventType.SHRUNK : EventType.GREW,
                    "attempt " + job.attempt() + " runs " + plan.shards().size() + " shards instead of " + before
                            + " on vendors " + new TreeSet<>(plan.vendorShares().keySet())
                            + "; the global batch is re-split and training resumes from the last checkpoint"));
        }
        return placed;
    }

    /** Why {@code term} may not write: another member claimed a later epoch. Empty when it still leads. */
    static Optional<String> fence(ClusterStore.Tx tx, Term term) {
        Optional<LeaderClaims.LeaderClaim> current = tx.leaderForUpdate();
        if (current.isEmpty() || current.get().epoch() != term.epoch() || !current.get().member().equals(term.member())) {
            return Optional.of(FENCED + "this member's term (epoch " + term.epoch() + ") is over; current is "
                    + current.map(c -> "epoch " + c.epoch()).orElse("none"));
        }
        return Optional.empty();
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
                .collect(Collectors.groupingBy(ShardPlan::chipType, TreeMap::new, Collectors.counting()));
        return String.format(Locale.ROOT, "placed %d shards at %s: %s; predicted %.1f samples/s, %.3f s per step",
                plan.shards().size(), plan.precision().wireName(), perChip, plan.predictedSamplesPerSec(),
                plan.stepTimeSec());
    }
}
