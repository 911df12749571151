package io.tessera.scheduler.placement;

import io.tessera.config.ChipCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable view of schedulable capacity at one moment: the input of placement. Nodes are
 * kept sorted by name so placement is deterministic whatever order state arrived in. Indexes that
 * every placement needs (nodes per chip type, the most free devices of a type on one node) are
 * kept here. A changed snapshot ({@link #with}, {@link #minus}) is derived by patching only the
 * nodes that changed: unchanged node views, and the node lists, most-free counts and slot orders
 * of untouched chip types are shared, and the fingerprint is updated, not recomputed. Derived
 * snapshots equal a fresh build.
 */
public final class ClusterSnapshot {
    private static final Comparator<NodeView> BY_NAME = Comparator.comparing(NodeView::name);
    private final ChipCatalog catalog;
    private final List<NodeView> nodes;
    private final Map<String, List<NodeView>> byChip;
    private final Map<String, Integer> maxFree = new ConcurrentHashMap<>();
    private final Map<OrderKey, NodeOrder> orders = new ConcurrentHashMap<>();
    private final long fingerprint;

    /** The slot order of one chip type for shards of one size. */
    private record OrderKey(String chipType, int devicesPerShard) {
    }

    public ClusterSnapshot(ChipCatalog catalog, List<NodeView> nodes) {
        this.catalog = catalog;
        List<NodeView> sorted = new ArrayList<>(nodes);
        sorted.sort(BY_NAME);
        this.nodes = Collections.unmodifiableList(sorted);
        Map<String, List<NodeView>> index = new HashMap<>();
        long fp = 0;
        for (NodeView n : sorted) {
            fp += mix(n);
            n.freeDevices().forEach((chip, free) -> {
                if (!free.isEmpty()) {
                    index.computeIfAbsent(chip, k -> new ArrayList<>()).add(n);
                }
            });
        }
        this.byChip = index;
        this.fingerprint = fp;
    }

    private ClusterSnapshot(ChipCatalog catalog, List<NodeView> sortedNodes, Map<String, List<NodeView>> byChip,
                            long fingerprint) {
        this.catalog = catalog;
        this.nodes = sortedNodes;
        this.byChip = byChip;
        this.fingerprint = fingerprint;
    }

    /**
     * This snapshot with {@code changed} nodes replacing (or joining) those of the same name and
     * {@code removed} names gone: what a fresh build over the changed state gives. Pure.
     */
    public ClusterSnapshot with(Collection<NodeView> changed, Collection<String> removed) {
        if (changed.isEmpty() && removed.isEmpty()) {
            return this;
        }
        List<NodeView> next = new ArrayList<>(nodes);
        Map<String, List<NodeView>> index = new HashMap<>(byChip);
        Set<String> copied = new HashSet<>();
        long fp = fingerprint;
        List<Object> edits = new ArrayList<>(changed);
        edits.addAll(removed);
        for (Object edit : edits) {
            NodeView view = edit instanceof NodeView v ? v : null;
            String name = view != null ? view.name() : (String) edit;
            int at = indexOf(next, name);
            NodeView old = at >= 0 ? next.get(at) : null;
            if (view == null && old == null) {
                continue;
            }
            if (view == null) {
                next.remove(at);
            } else if (old == null) {
                next.add(-at - 1, view);
            } else {
                next.set(at, view);
            }
            fp += mix(view) - mix(old);
            reindex(index, copied, old, view, name);
        }
        ClusterSnapshot out = new ClusterSnapshot(catalog, Collections.unmodifiableList(next), index, fp);
        maxFree.forEach((chip, v) -> {
            if (!copied.contains(chip)) {
                out.maxFree.put(chip, v);
            }
        });
        orders.forEach((key, order) -> {
            if (!copied.contains(key.chipType())) {
                out.orders.put(key, order);
            }
        });
        return out;
    }

    /** Moves node {@code name} from its {@code old} view to {@code view} in the per-chip lists, copying each list once. */
    private static void reindex(Map<String, List<NodeView>> index, Set<String> copied, NodeView old, NodeView view,
                                String name) {
        Set<String> chips = new HashSet<>();
        if (old != null) {
            chips.addAll(old.freeDevices().keySet());
        }
        if (view != null) {
            chips.addAll(view.freeDevices().keySet());
        }
        for (String chip : chips) {
            List<NodeView> list = index.get(chip);
            if (copied.add(chip) || list == null) { // null: an earlier edit of this patch emptied and dropped it
                list = list == null ? new ArrayList<>() : new ArrayList<>(list);
                index.put(chip, list);
            }
            int at = indexOf(list, name);
            boolean keep = view != null && view.free(chip) > 0;
            if (at >= 0 && keep) {
                list.set(at, view);
            } else if (at >= 0) {
                list.remove(at);
            } else if (keep) {
                list.add(-at - 1, view);
            }
            if (list.isEmpty()) {
                index.remove(chip);
            }
        }
    }

    /** Where the node named {@code name} is in the name-sorted {@code list}, or {@code -(insertion point) - 1}. */
    private static int indexOf(List<NodeView> list, String name) {
        int lo = 0;
        int hi = list.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = list.get(mid).name().compareTo(name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** A node's share of the fingerprint: its full content, well mixed, so a sum over nodes is order-free. */
    private static long mix(NodeView n) {
        if (n == null) {
            return 0;
        }
        long h = n.hashCode() * 0x9E3779B97F4A7C15L + n.name().hashCode();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /**
     * This snapshot with {@code plan}'s devices taken: what the next job in a pass may use after
     * {@code plan} commits, without reading state again. Only the plan's nodes change. Pure;
     * equal to a fresh build over the committed state.
     */
    public ClusterSnapshot minus(PlacementResult.Plan plan) {
        Map<String, Map<String, Set<Integer>>> taken = new HashMap<>();
        for (ShardPlan s : plan.shards()) {
            taken.computeIfAbsent(s.node(), k -> new HashMap<>()).computeIfAbsent(s.chipType(), k -> new HashSet<>())
                    .addAll(s.devices());
        }
        return subtract(taken);
    }

    /** This snapshot without the devices {@code byNode} names (device indices per node, of whatever chip type). */
    public ClusterSnapshot withoutDevices(Map<String, Set<Integer>> byNode) {
        Map<String, Map<String, Set<Integer>>> taken = new HashMap<>();
        byNode.forEach((node, devices) -> taken.put(node, Map.of(ANY_CHIP, devices)));
        return subtract(taken);
    }

    private static final String ANY_CHIP = "*";

    private ClusterSnapshot subtract(Map<String, Map<String, Set<Integer>>> taken) {
        List<NodeView> changed = new ArrayList<>();
        taken.forEach((name, mine) -> {
            int at = indexOf(nodes, name);
            if (at < 0) {
                return;
            }
            NodeView n = nodes.get(at);
            Map<String, List<Integer>> free = new TreeMap<>();
            n.freeDevices().forEach((chip, devices) -> {
                Set<Integer> gone = mine.getOrDefault(chip, mine.getOrDefault(ANY_CHIP, Set.of()));
                List<Integer> left = devices.stream().filter(d -> !gone.contains(d)).toList();
                if (!left.isEmpty()) {
                    free.put(chip, left);
                }
            });
            changed.add(new NodeView(n.name(), n.address(), n.labels(), free, n.containers()));
        });
        return with(changed, List.of());
    }

    /**
     * A digest of everything placement reads from this snapshot (each node's name, address,
     * labels and free devices): two snapshots with the same fingerprint give every job the same
     * placement, so a job that did not fit need not be tried again until it changes.
     */
    public long fingerprint() {
        return fingerprint;
    }

    public ChipCatalog catalog() {
        return catalog;
    }

    /** Every node, sorted by name. */
    public List<NodeView> nodes() {
        return nodes;
    }

    /** The node called {@code name}, found by binary search over the sorted nodes; empty when absent. */
    public Optional<NodeView> node(String name) {
        int at = indexOf(nodes, name);
        return at >= 0 ? Optional.of(nodes.get(at)) : Optional.empty();
    }

    /** The nodes with at least one free device of {@code chipType}, sorted by name. */
    public List<NodeView> nodesWith(String chipType) {
        List<NodeView> list = byChip.get(chipType);
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    /** The most free devices of {@code chipType} on any one node. */
    public int maxFree(String chipType) {
        return maxFree.computeIfAbsent(chipType, c -> nodesWith(c).stream().mapToInt(n -> n.free(c)).max().orElse(0));
    }

    /**
     * The nodes of {@code chipType} that hold a shard of {@code devicesPerShard}, in slot order.
     * Worked out once per snapshot; a derived snapshot keeps the orders of chip types it did not touch.
     */
    NodeOrder order(String chipType, int devicesPerShard) {
        return orders.computeIfAbsent(new OrderKey(chipType, devicesPerShard),
                k -> NodeOrder.of(nodesWith(chipType), chipType, devicesPerShard));
    }

    /** Chip type ids with free devices somewhere, in name order. */
    public List<String> chipTypes() {
        List<String> ids = new ArrayList<>(byChip.keySet());
        Collections.sort(ids);
        return ids;
    }
}
