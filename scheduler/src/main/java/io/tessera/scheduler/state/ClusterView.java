package io.tessera.scheduler.state;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.policy.QueueOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The leader's indexed, in-memory view of the cluster, changed incrementally: hot jobs, queued
 * jobs in {@link QueueOrder} (overall and per queue), LOST nodes, and the placement snapshot.
 * The store tells it which keys changed ({@link ClusterStore#onChange}); {@link #refresh} re-reads
 * only those keys and patches the snapshot ({@link ClusterSnapshot#with}), so a pass costs what
 * changed, not the fleet's size. {@link #rebuild} reads everything: at a leader change, so the new
 * leader starts from the durable truth. Hazelcast stays the one source of truth; the view only
 * ever lags it by the changes whose keys are not yet re-read, and the commit path re-checks live
 * state. Thread-safe (one monitor).
 */
public final class ClusterView {
    private final ClusterStore store;
    private final ChipCatalog catalog;
    private final Set<String> dirtyJobs = ConcurrentHashMap.newKeySet();
    private final Set<String> dirtyNodes = ConcurrentHashMap.newKeySet();
    private final Set<String> toReconcile = ConcurrentHashMap.newKeySet();
    private final Map<String, JobRecord> jobs = new HashMap<>();
    private final Map<String, NodeRecord> nodes = new HashMap<>();
    /** Node names by address, for {@link #sameHost}; null until asked for after a node was added, removed or moved. */
    private Map<String, List<String>> byAddress;
    private final Map<String, AssignmentSet> sets = new HashMap<>();
    private final NavigableSet<JobRecord> queue = new TreeSet<>(QueueOrder.FIRST_TO_PLACE);
    private final Map<String, NavigableSet<JobRecord>> queues = new TreeMap<>();
    private final Set<String> lost = new TreeSet<>();
    private boolean lostChanged;
    private ClusterSnapshot snapshot;
    /** Every schedulable node with all its healthy devices free; null until asked for after a change of nodes. */
    private ClusterSnapshot capacity;
    /** The fleet at its best; rebuilt when {@link #capacity} is (a superset of its changes). */
    private ClusterSnapshot bestCase;
    /** Set when more keys changed than are worth remembering one by one: the next refresh rebuilds. */
    private volatile boolean overflowed;
    private static final int MAX_DIRTY = 200_000;

    /** The chip catalog the view resolves devices with. */
    public ChipCatalog catalog() {
        return catalog;
    }

    public ClusterView(ClusterStore store, ChipCatalog catalog) {
        this.store = store;
        this.catalog = catalog;
        store.onChange(new ClusterStore.ChangeListener() {
            @Override
            public void jobChanged(String id) {
                mark(dirtyJobs, id);
                changed.run();
            }

            @Override
            public void nodeChanged(String name) {
                mark(dirtyNodes, name);
                changed.run();
            }

            @Override
            public void assignmentsChanged(String node) {
                mark(dirtyNodes, node);
                changed.run();
            }

            @Override
            public void reportsChanged(String jobId) {
                mark(toReconcile, jobId);
                reportsListener.accept(jobId);
            }
        });
    }

    private volatile Consumer<String> reportsListener = id -> { };

    /**
     * Also tells {@code listener} (on a store thread) of each job whose shard reports changed,
     * through this view's own store listener: a second store listener would have every member
     * receive every change of the cluster once more.
     */
    public void onReportsChanged(Consumer<String> listener) {
        this.reportsListener = listener;
    }

    private volatile Runnable changed = () -> { };

    /**
     * Calls {@code listener} (on a store thread) after a job, a node or an assignment set changed,
     * once its key is marked for the next refresh: the loop wakes then, so a change the view has
     * not yet been told of never leaves a pass with nothing to do.
     */
    public void onChanged(Runnable listener) {
        this.changed = listener;
    }

    /** Remembers a changed key; a member nobody refreshes (not the leader, no dry runs) forgets them instead. */
    private void mark(Set<String> keys, String key) {
        if (keys.size() >= MAX_DIRTY) {
            overflowed = true;
            keys.clear();
        }
        keys.add(key);
    }

    /** Reads the whole state again (at a leader change); every hot job is due for reconciliation. */
    public synchronized void rebuild() {
        overflowed = false;
        byAddress = null;
        capacity = null;
        bestCase = null;
        toReconcile.clear();
        dirtyJobs.clear();
        dirtyNodes.clear();
        jobs.clear();
        queue.clear();
        queues.clear();
        nodes.clear();
        sets.clear();
        lost.clear();
        store.jobs().forEach(this::putJob);
        store.nodes().forEach(n -> nodes.put(n.name(), n));
        sets.putAll(store.allAssignments());
        nodes.values().stream().filter(n -> n.state() == NodeState.LOST).forEach(n -> lost.add(n.name()));
        List<NodeView> views = new ArrayList<>();
        nodes.values().forEach(n -> Optional.ofNullable(SnapshotBuilder.view(catalog, n, sets.get(n.name()))).ifPresent(views::add));
        snapshot = new ClusterSnapshot(catalog, views);
        toReconcile.addAll(jobs.keySet());
        lostChanged = true;
    }

    private long lastRefreshNanos = Long.MIN_VALUE / 2;

    /** Re-reads the keys that changed since the last refresh and patches the indexes. */
    public synchronized void refresh() {
        lastRefreshNanos = System.nanoTime();
        if (snapshot == null || overflowed) {
            rebuild();
            return;
        }
        for (String id : drain(dirtyJobs)) {
            store.job(id).ifPresentOrElse(this::putJob, () -> removeJob(id));
            toReconcile.add(id);
        }
        List<NodeView> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String name : drain(dirtyNodes)) {
            Optional<NodeRecord> node = store.node(name);
            AssignmentSet set = store.assignments(name);
            NodeRecord before = nodes.get(name);
            node.ifPresentOrElse(n -> nodes.put(name, n), () -> nodes.remove(name));
            if (before == null || node.isEmpty() || !Objects.equals(before.address(), node.get().address())) {
                byAddress = null;
            }
            if (!SnapshotBuilder.sameCapacity(before, node.orElse(null))) {
                capacity = null;
                bestCase = null;
            }
            sets.put(name, set);
            boolean isLost = node.map(n -> n.state() == NodeState.LOST).orElse(false);
            lostChanged |= isLost ? lost.add(name) : lost.remove(name);
            NodeView view = SnapshotBuilder.view(catalog, node.orElse(null), set);
            if (view == null) {
                removed.add(name);
            } else {
                changed.add(view);
            }
        }
        snapshot = snapshot.with(changed, removed);
    }

    private static List<String> drain(Set<String> keys) {
        List<String> out = new ArrayList<>(keys);
        keys.removeAll(out);
        return out;
    }

    private void putJob(JobRecord job) {
        removeJob(job.id());
        jobs.put(job.id(), job);
        if (job.state() == JobState.QUEUED && !job.cancelRequested()) {
            queue.add(job);
            queues.computeIfAbsent(job.spec().queue(), q -> new TreeSet<>(QueueOrder.FIRST_TO_PLACE)).add(job);
        }
    }

    private void removeJob(String id) {
        JobRecord old = jobs.remove(id);
        if (old != null && queue.remove(old)) {
            NavigableSet<JobRecord> q = queues.get(old.spec().queue());
            q.remove(old);
            if (q.isEmpty()) {
                queues.remove(old.spec().queue());
            }
        }
    }

    /**
     * The fleet as if nothing ran: every ready, undrained node with all its healthy devices free.
     * A job that does not fit this can never fit until the fleet changes. Rebuilt only when a
     * node's state, drain or devices change (not on heartbeats or assignments).
     */
    public synchronized ClusterSnapshot capacity() {
        if (capacity == null) {
            capacity = SnapshotBuilder.idle(catalog, nodes.values());
        }
        return capacity;
    }

    /**
     * The fleet at its best ({@link SnapshotBuilder#bestCase}), as of the latest refresh, refreshed
     * first only when none ran in the last second: callers on the submit path must not make every
     * submission re-read the fleet's heartbeats, nor wait for the loop's lock each time.
     */
    public synchronized ClusterSnapshot bestCase() {
        long now = System.nanoTime();
        if (snapshot == null || now - lastRefreshNanos > 1_000_000_000L) {
            refresh();
        }
        return bestCapacity();
    }

    /**
     * The fleet at its best as of the latest refresh, without refreshing: what the loop asks
     * whether a job could ever fit (a lost, drained or unhealthy part of the fleet may come back, so
     * it never makes a job unschedulable).
     */
    public synchronized ClusterSnapshot bestCapacity() {
        if (bestCase == null) {
            bestCase = SnapshotBuilder.bestCase(catalog, nodes.values());
        }
        return bestCase;
    }

    /** The most agents one host may run for their ports to be chosen per host (see {@link #sameHost}). */
    public static final int MAX_AGENTS_PER_HOST = 64;

    /**
     * The other nodes with {@code node}'s address, as of the last refresh: agents on one host (the
     * demo's, a test cluster's) share its ports. Empty where every node has its own address, and
     * where more than {@link #MAX_AGENTS_PER_HOST} share one: that is a simulated fleet (the load
     * harness registers 9,000 nodes at 127.0.0.1 and runs no workers), and reading every one of
     * their sets at each commit made a 9,000-node burst place a third as fast.
     */
    public synchronized List<String> sameHost(String node) {
        if (byAddress == null) {
            byAddress = new HashMap<>();
            nodes.values().forEach(n -> byAddress.computeIfAbsent(n.address(), a -> new ArrayList<>()).add(n.name()));
        }
        NodeRecord n = nodes.get(node);
        List<String> all = n == null ? List.of() : byAddress.getOrDefault(n.address(), List.of());
        return all.size() <= 1 || all.size() > MAX_AGENTS_PER_HOST ? List.of()
                : all.stream().filter(x -> !x.equals(node)).toList();
    }

    /** The placement input as of the last refresh. */
    public synchronized ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** The placement input now: refreshed first (for dry runs on any member). */
    public synchronized ClusterSnapshot current() {
        refresh();
        return snapshot;
    }

    /**
     * The view with {@code plan} committed for its job: its devices are taken at once, and its
     * nodes and job are re-read at the next refresh, whether or not the store's notice has come.
     */
    public synchronized void committed(String jobId, Plan plan) {
        snapshot = snapshot.minus(plan);
        plan.shards().forEach(s -> dirtyNodes.add(s.node()));
        dirtyJobs.add(jobId);
    }

    /** Marks keys this member just wrote (or found stale) for re-reading at the next refresh. */
    public void invalidate(Collection<String> nodeNames, Collection<String> jobIds) {
        dirtyNodes.addAll(nodeNames);
        dirtyJobs.addAll(jobIds);
    }

    /** Queued, uncancelled jobs in the order they are offered capacity. */
    public synchronized List<JobRecord> queued() {
        return List.copyOf(queue);
    }

    /** The queued jobs of one queue, in order. */
    public synchronized List<JobRecord> queued(String queueName) {
        NavigableSet<JobRecord> q = queues.get(queueName);
        return q == null ? List.of() : List.copyOf(q);
    }

    /** Every job in hot state (unfinished, or finished within the grace period). */
    public synchronized List<JobRecord> jobs() {
        return List.copyOf(jobs.values());
    }

    /** The hot job with this id. */
    public synchronized Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Every registered node, as last re-read (its heartbeat time may be older than {@link ClusterStore#heardTimes}). */
    public synchronized List<NodeRecord> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Every node's assignment set, as last re-read. */
    public synchronized Map<String, AssignmentSet> assignmentSets() {
        return Map.copyOf(sets);
    }

    /** Names of LOST nodes. */
    public synchronized Set<String> lostNodes() {
        return Set.copyOf(lost);
    }

    /**
     * The unfinished jobs whose record or shard reports changed since the last call, or every
     * unfinished job when a node was lost or came back since then: what the lifecycle must look at.
     */
    public synchronized List<JobRecord> takeJobsToReconcile() {
        Collection<String> ids = lostChanged ? jobs.keySet() : drain(toReconcile);
        if (lostChanged) {
            toReconcile.clear();
            lostChanged = false;
        }
        List<JobRecord> out = new ArrayList<>();
        for (String id : ids) {
            JobRecord j = jobs.get(id);
            if (j != null && !j.state().terminal()) {
                out.add(j);
            }
        }
        return out;
    }

    /** The placement input with {@code job}'s own devices free, as if it were not running (to plan its growth). */
    public synchronized ClusterSnapshot snapshotWithout(JobRecord job) {
        return snapshotWithout(List.of(job));
    }

    /** The snapshot as if {@code gone}'s devices were free (what preempting them would leave). */
    public synchronized ClusterSnapshot snapshotWithout(Collection<JobRecord> gone) {
        return SnapshotBuilder.without(snapshot, gone, sets, nodes::get);
    }
}
