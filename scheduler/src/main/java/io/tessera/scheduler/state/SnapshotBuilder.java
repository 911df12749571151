package io.tessera.scheduler.state;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.DeviceState;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds the immutable placement input from stored state: READY, undrained nodes only, and on them only
 * healthy devices of catalog chip types that no current assignment holds.
 */
public final class SnapshotBuilder {
    private SnapshotBuilder() {
    }

    public static ClusterSnapshot build(ChipCatalog catalog, Collection<NodeRecord> nodes,
                                        Map<String, AssignmentSet> assignments) {
        List<NodeView> views = new ArrayList<>();
        for (NodeRecord node : nodes) {
            NodeView v = view(catalog, node, assignments.get(node.name()));
            if (v != null) {
                views.add(v);
            }
        }
        return new ClusterSnapshot(catalog, views);
    }

    /** What placement sees of one node holding {@code set}: null when it is not schedulable (not READY, or drained). */
    public static NodeView view(ChipCatalog catalog, NodeRecord node, AssignmentSet set) {
        if (node == null || node.state() != NodeState.READY || node.drained()) {
            return null;
        }
        Set<Integer> used = usedDevices(set);
        Map<String, List<Integer>> free = new TreeMap<>();
        for (DeviceReport d : node.devices()) {
            if (DeviceState.of(node, d, used.contains(d.index())) == DeviceState.FREE && catalog.byId(d.chipType()).isPresent()) {
                free.computeIfAbsent(d.chipType(), k -> new ArrayList<>()).add(d.index());
            }
        }
        free.values().forEach(l -> l.sort(Integer::compare));
        return new NodeView(node.name(), node.address(), node.labels(), free, node.runsContainers());
    }

    /** Device indices held by any shard of the set. */
    public static Set<Integer> usedDevices(AssignmentSet set) {
        Set<Integer> used = new HashSet<>();
        if (set != null) {
            for (ShardAssignment a : set.shards()) {
                used.addAll(a.devices());
            }
        }
        return used;
    }

    /** The fleet as if nothing ran: every schedulable node of {@code nodes} with all its healthy devices free. */
    public static ClusterSnapshot idle(ChipCatalog catalog, Collection<NodeRecord> nodes) {
        List<NodeView> all = new ArrayList<>();
        for (NodeRecord n : nodes) {
            NodeView v = view(catalog, n, AssignmentSet.empty(n.name()));
            if (v != null) {
                all.add(v);
            }
        }
        return new ClusterSnapshot(catalog, all);
    }

    /**
     * The fleet at its best: every registered node ready and undrained, every device of a known
     * chip type healthy and free. A job that does not fit this fits no state of the fleet.
     */
    public static ClusterSnapshot bestCase(ChipCatalog catalog, Collection<NodeRecord> nodes) {
        List<NodeRecord> best = new ArrayList<>();
        for (NodeRecord n : nodes) {
            List<DeviceReport> healthy = n.devices().stream().map(d -> catalog.byId(d.chipType()).isEmpty() ? d
                    : new DeviceReport(d.index(), d.uuid(), d.chipType(), d.rawName(), d.memoryGiB(), true, null,
                            null, null, null, null, d.visibilityEnv())).toList();
            best.add(new NodeRecord(n.name(), n.address(), n.labels(), healthy, NodeState.READY, n.registeredAt(),
                    n.lastHeartbeatMs(), false, n.acceptedDevices(), n.logs(), n.containers()));
        }
        return idle(catalog, best);
    }

    /**
     * Whether two records of a node give the same idle capacity: state, drain, address, labels and
     * each device's index, chip type and health (not telemetry, which changes with every heartbeat).
     */
    public static boolean sameCapacity(NodeRecord a, NodeRecord b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.state() == b.state() && a.drained() == b.drained() && schedulable(a).equals(schedulable(b))
                && a.address().equals(b.address()) && a.labels().equals(b.labels());
    }

    private static List<String> schedulable(NodeRecord n) {
        List<String> out = new ArrayList<>();
        n.devices().forEach(d -> out.add(d.index() + "/" + d.chipType() + "/" + d.healthy()));
        return out;
    }

    /**
     * {@code snapshot} as if {@code gone}'s devices were free: the nodes they run on recomputed from
     * their {@code sets} without those jobs' shards ({@code nodes} looks a node's record up by name).
     * What preempting them, or moving one of them, would leave.
     */
    public static ClusterSnapshot without(ClusterSnapshot snapshot, Collection<JobRecord> gone,
                                          Map<String, AssignmentSet> sets, Function<String, NodeRecord> nodes) {
        Set<String> ids = new HashSet<>();
        Set<String> touched = new HashSet<>();
        for (JobRecord job : gone) {
            if (job.placement() != null) {
                ids.add(job.id());
                job.placement().shards().stream().map(ShardPlan::node).forEach(touched::add);
            }
        }
        List<NodeView> changed = new ArrayList<>();
        for (String name : touched) {
            AssignmentSet set = sets.getOrDefault(name, AssignmentSet.empty(name));
            List<ShardAssignment> others = set.shards().stream().filter(a -> !ids.contains(a.jobId())).toList();
            NodeView v = view(snapshot.catalog(), nodes.apply(name), new AssignmentSet(name, set.version(), others));
            if (v != null) {
                changed.add(v);
            }
        }
        return snapshot.with(changed, List.of());
    }
}
