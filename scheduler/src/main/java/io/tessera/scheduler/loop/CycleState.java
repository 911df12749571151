package io.tessera.scheduler.loop;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.policy.QueueOrder;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one scheduling pass decides on: the cluster as the leader's {@link ClusterView} held it when
 * the pass began, read once, and never re-read during the pass. Immutable. The stages of a pass
 * each decide on one, and the next stage decides on {@link #after} the decisions before it: their
 * changes derived in memory (nodes lost, jobs moved, devices freed and taken), as
 * {@link ClusterSnapshot#minus} derives a plan, so that the whole pass commits once, at its end,
 * through the fenced applier. What a derivation leaves is what the view holds after those changes
 * commit and it refreshes ({@code CycleStateDerivationTest} proves it against a real commit).
 *
 * <p>Notes, estimated starts, profiles and fleet samples are not derived: no stage reads them from
 * the state. The shard reports, queues and profiles a stage reads stay in the store.
 */
public final class CycleState {
    private final ChipCatalog catalog;
    private final List<JobRecord> jobs;
    private final Map<String, Integer> jobAt;
    private final List<JobRecord> queued;
    private final List<NodeRecord> nodes;
    private final Map<String, Integer> nodeAt;
    private final Map<String, AssignmentSet> sets;
    private final Set<String> lost;
    private final List<JobRecord> toReconcile;
    private final ClusterSnapshot snapshot;
    /** Devices taken by plans decided in this pass, by node: not in {@link #sets} until they commit. */
    private final Map<String, Set<Integer>> pending;
    private final Memo<ClusterSnapshot> capacity;
    private final Memo<ClusterSnapshot> bestCase;

    private CycleState(ChipCatalog catalog, List<JobRecord> jobs, List<JobRecord> queued, List<NodeRecord> nodes,
                       Map<String, AssignmentSet> sets, Set<String> lost, List<JobRecord> toReconcile,
                       ClusterSnapshot snapshot, Map<String, Set<Integer>> pending,
                       Supplier<ClusterSnapshot> capacity, Supplier<ClusterSnapshot> bestCase) {
        this(catalog, jobs, null, queued, nodes, null, sets, lost, toReconcile, snapshot, pending, capacity, bestCase);
    }

    /** {@code jobAt} and {@code nodeAt}: the indexes of {@code jobs} and {@code nodes} when known (null: built here). */
    private CycleState(ChipCatalog catalog, List<JobRecord> jobs, Map<String, Integer> jobAt, List<JobRecord> queued,
                       List<NodeRecord> nodes, Map<String, Integer> nodeAt, Map<String, AssignmentSet> sets,
                       Set<String> lost, List<JobRecord> toReconcile, ClusterSnapshot snapshot,
                       Map<String, Set<Integer>> pending, Supplier<ClusterSnapshot> capacity,
                       Supplier<ClusterSnapshot> bestCase) {
        this.catalog = catalog;
        this.jobs = List.copyOf(jobs);
        this.jobAt = jobAt != null ? jobAt : index(this.jobs, JobRecord::id);
        this.queued = List.copyOf(queued);
        this.nodes = List.copyOf(nodes);
        this.nodeAt = nodeAt != null ? nodeAt : index(this.nodes, NodeRecord::name);
        this.sets = Map.copyOf(sets);
        this.lost = Set.copyOf(lost);
        this.toReconcile = List.copyOf(toReconcile);
        this.snapshot = snapshot;
        this.pending = Map.copyOf(pending);
        this.capacity = new Memo<>(capacity);
        this.bestCase = new Memo<>(bestCase);
    }

    /**
     * The view as it is now (the loop has just refreshed it), read once, with the jobs the view had
     * marked for reconciliation (the loop takes them: {@link ClusterView#takeJobsToReconcile}).
     */
    public static CycleState of(ClusterView view, List<JobRecord> toReconcile) {
        synchronized (view) {
            ClusterSnapshot capacity = view.capacity();
            ClusterSnapshot best = view.bestCapacity();
            return new CycleState(view.catalog(), view.jobs(), view.queued(), view.nodes(), view.assignmentSets(),
                    view.lostNodes(), toReconcile, view.snapshot(), Map.of(), () -> capacity, () -> best);
        }
    }

    /**
     * A state built in memory, as a rebuilt view would hold it: the snapshot from {@code nodes} and
     * their assignment {@code sets}, the queue from {@code jobs}, no job due for reconciliation
     * (policy tables, without a store).
     */
    public static CycleState of(ChipCatalog catalog, List<JobRecord> jobs, List<NodeRecord> nodes,
                                Map<String, AssignmentSet> sets) {
        List<NodeView> views = new ArrayList<>();
        nodes.forEach(n -> Optional.ofNullable(SnapshotBuilder.view(catalog, n, sets.get(n.name()))).ifPresent(views::add));
        Set<String> lost = new HashSet<>();
        nodes.stream().filter(n -> n.state() == NodeState.LOST).forEach(n -> lost.add(n.name()));
        return new CycleState(catalog, jobs, queuedOf(jobs), nodes, sets, lost, List.of(),
                new ClusterSnapshot(catalog, views), Map.of(), () -> SnapshotBuilder.idle(catalog, nodes),
                () -> SnapshotBuilder.bestCase(catalog, nodes));
    }

    /** A state that is only {@code snapshot}'s capacity: no jobs, no node records (gate tables). */
    static CycleState of(ClusterSnapshot snapshot) {
        return new CycleState(snapshot.catalog(), List.of(), List.of(), List.of(), Map.of(), Set.of(), List.of(),
                snapshot, Map.of(), () -> snapshot, () -> snapshot);
    }

    /** The view as it is now, with no job due for reconciliation: to run one stage alone. */
    public static CycleState of(ClusterView view) {
        return of(view, List.of());
    }

    /**
     * This state as {@code changes} would leave it once committed: lost nodes are LOST and leave the
     * snapshot (and every unfinished job is due for reconciliation, as after a refresh that saw a
     * node lost); a transition's job is its {@code to}, and its devices are free where it released
     * them; a placed job is PLACED on its plan, whose devices are taken; an evicted job is PREEMPTING;
     * a regrown job is PLACED on its new plan at its next attempt, its old devices free; a re-split
     * job runs on its new split; a job moved to the history is gone.
     */
    public CycleState after(List<? extends Change> changes) {
        if (changes.stream().noneMatch(CycleState::derived)) {
            return this;
        }
        List<JobRecord> js = new ArrayList<>(jobs);
        List<NodeRecord> ns = changes.stream().anyMatch(c -> c instanceof Change.NodeLost) ? new ArrayList<>(nodes) : nodes;
        Map<String, AssignmentSet> ss = changes.stream().anyMatch(c -> c instanceof Change.Transition
                || c instanceof Change.Regrow) ? new HashMap<>(sets) : sets; // copied only where devices are released
        Set<String> ls = new HashSet<>(lost);
        Map<String, Set<Integer>> pend = new HashMap<>();
        pending.forEach((n, d) -> pend.put(n, new HashSet<>(d)));
        Set<String> touched = new HashSet<>();
        Set<String> archived = new HashSet<>();
        boolean lostChanged = false;
        boolean nodesChanged = false;
        for (Change c : changes) {
            if (c instanceof Change.NodeLost n && nodeAt.containsKey(n.node())) {
                NodeRecord node = ns.get(nodeAt.get(n.node()));
                if (node.state() == NodeState.READY) {
                    ns.set(nodeAt.get(n.node()), node.withState(NodeState.LOST));
                    lostChanged |= ls.add(n.node());
                    nodesChanged = true;
                    touched.add(n.node());
                }
            } else if (c instanceof Change.Transition t && jobAt.containsKey(t.from().id())) {
                js.set(jobAt.get(t.from().id()), t.to());
                if (t.releaseDevices() && t.from().placement() != null) {
                    release(ss, t.from().id(), t.from().placement(), touched);
                }
            } else if (c instanceof Change.Place p && jobAt.containsKey(p.jobId())) {
                int at = jobAt.get(p.jobId());
                js.set(at, js.get(at).withState(JobState.PLACED).withPlacement(p.plan()));
                p.plan().shards().forEach(s -> pend.computeIfAbsent(s.node(), k -> new HashSet<>()).addAll(s.devices()));
                touched.addAll(Change.nodesOf(p));
            } else if (c instanceof Change.Evict e && jobAt.containsKey(e.jobId())) {
                int at = jobAt.get(e.jobId());
                js.set(at, js.get(at).withState(JobState.PREEMPTING));
            } else if (c instanceof Change.Regrow r && jobAt.containsKey(r.jobId())) {
                int at = jobAt.get(r.jobId());
                JobRecord job = js.get(at);
                if (job.placement() != null) {
                    release(ss, r.jobId(), job.placement(), touched);
                }
                js.set(at, job.regrown().withState(JobState.PLACED).withPlacement(r.plan()));
                r.plan().shards().forEach(sh -> pend.computeIfAbsent(sh.node(), k -> new HashSet<>()).addAll(sh.devices()));
                touched.addAll(Change.nodesOf(r));
            } else if (c instanceof Change.Resplit r && jobAt.containsKey(r.jobId())) {
                int at = jobAt.get(r.jobId());
                js.set(at, js.get(at).withPlacement(r.plan()));
            } else if (c instanceof Change.MoveToHistory m) {
                archived.add(m.job().id());
            }
        }
        js.removeIf(j -> archived.contains(j.id()));
        ClusterSnapshot snap = recomputed(ns, ss, touched).withoutDevices(pend);
        List<JobRecord> reconcile = lostChanged ? js.stream().filter(j -> !j.state().terminal()).toList() : toReconcile;
        return new CycleState(catalog, js, archived.isEmpty() ? jobAt : null, queuedOf(js), ns, nodeAt, ss, ls,
                reconcile, snap, pend, nodesChanged ? () -> SnapshotBuilder.idle(catalog, ns) : capacity,
                nodesChanged ? () -> SnapshotBuilder.bestCase(catalog, ns) : bestCase);
    }

    /** Whether {@link #after} derives anything from {@code c}. */
    private static boolean derived(Change c) {
        return c instanceof Change.NodeLost || c instanceof Change.Transition || c instanceof Change.Place
                || c instanceof Change.Evict || c instanceof Change.Regrow || c instanceof Change.Resplit
                || c instanceof Change.MoveToHistory;
    }

    /** Removes {@code jobId}'s shards from the sets of {@code plan}'s nodes, as the applier's release does. */
    private static void release(Map<String, AssignmentSet> sets, String jobId, Plan plan, Set<String> touched) {
        for (String node : plan.shards().stream().map(ShardPlan::node).distinct().toList()) {
            AssignmentSet set = sets.get(node);
            if (set != null) {
                List<ShardAssignment> left = set.shards().stream().filter(a -> !a.jobId().equals(jobId)).toList();
                sets.put(node, new AssignmentSet(node, set.version(), left));
            }
            touched.add(node);
        }
    }

    /** {@code snapshot} with the nodes {@code names} recomputed from {@code ns} and {@code ss}: changed, or gone when not schedulable. */
    private ClusterSnapshot recomputed(List<NodeRecord> ns, Map<String, AssignmentSet> ss, Set<String> names) {
        List<NodeView> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String name : names) {
            NodeView v = nodeAt.containsKey(name) ? SnapshotBuilder.view(catalog, ns.get(nodeAt.get(name)), ss.get(name)) : null;
            if (v == null) {
                removed.add(name);
            } else {
                changed.add(v);
            }
        }
        return snapshot.with(changed, removed);
    }

    /** The queued, uncancelled jobs of {@code all}, in {@link QueueOrder#FIRST_TO_PLACE}, as the view keeps them. */
    private static List<JobRecord> queuedOf(List<JobRecord> all) {
        TreeSet<JobRecord> q = new TreeSet<>(QueueOrder.FIRST_TO_PLACE);
        all.stream().filter(j -> j.state() == JobState.QUEUED && !j.cancelRequested()).forEach(q::add);
        return List.copyOf(q);
    }

    public ChipCatalog catalog() {
        return catalog;
    }

    /** Every hot job, in the view's order. */
    public List<JobRecord> jobs() {
        return jobs;
    }

    public Optional<JobRecord> job(String id) {
        Integer at = jobAt.get(id);
        return at == null ? Optional.empty() : Optional.of(jobs.get(at));
    }

    /** Queued, uncancelled jobs in the order they are offered capacity. */
    public List<JobRecord> queued() {
        return queued;
    }

    public List<NodeRecord> nodes() {
        return nodes;
    }

    public Map<String, AssignmentSet> assignmentSets() {
        return sets;
    }

    public Set<String> lostNodes() {
        return lost;
    }

    /** The unfinished jobs whose inputs changed before the pass (all of them once a node was lost). */
    public List<JobRecord> jobsToReconcile() {
        return toReconcile;
    }

    /** The placement input. */
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** The fleet as if nothing ran ({@link ClusterView#capacity}). */
    public ClusterSnapshot capacity() {
        return capacity.get();
    }

    /** The fleet at its best ({@link ClusterView#bestCapacity}). */
    public ClusterSnapshot bestCapacity() {
        return bestCase.get();
    }

    /** The placement input with {@code job}'s own devices free, as if it were not running (to plan its growth). */
    public ClusterSnapshot snapshotWithout(JobRecord job) {
        return snapshotWithout(List.of(job));
    }

    /** The snapshot as if {@code gone}'s devices were free (what preempting them would leave). */
    public ClusterSnapshot snapshotWithout(Collection<JobRecord> gone) {
        return SnapshotBuilder.without(snapshot, gone, sets, n -> nodeAt.containsKey(n) ? nodes.get(nodeAt.get(n)) : null)
                .withoutDevices(pending);
    }

    private static <T> Map<String, Integer> index(List<T> items, Function<T, String> key) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            out.put(key.apply(items.get(i)), i);
        }
        return out;
    }

    /** A value computed at most once, when first asked for. */
    private static final class Memo<T> implements Supplier<T> {
        private Supplier<T> source;
        private T value;

        Memo(Supplier<T> source) {
            this.source = source;
        }

        @Override
        public synchronized T get() {
            if (source != null) {
                value = source.get();
                source = null;
            }
            return value;
        }
    }
}
