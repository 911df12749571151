package io.tessera.scheduler.placement;

import io.tessera.config.ChipCatalog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of schedulable capacity at one moment: the input of placement. Nodes are
 * kept sorted by name so placement is deterministic whatever order state arrived in. Indexes that
 * every placement needs (nodes per chip type, free slots per zone) are built once, here.
 */
public final class ClusterSnapshot {
    private final ChipCatalog catalog;
    private final List<NodeView> nodes;
    private final Map<String, List<NodeView>> byChip = new HashMap<>();
    private final Map<String, Integer> maxFree = new HashMap<>();

    public ClusterSnapshot(ChipCatalog catalog, List<NodeView> nodes) {
        this.catalog = catalog;
        List<NodeView> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(NodeView::name));
        this.nodes = Collections.unmodifiableList(sorted);
        index();
    }

    private void index() {
        for (NodeView n : this.nodes) {
            n.freeDevices().forEach((chip, free) -> {
                if (!free.isEmpty()) {
                    byChip.computeIfAbsent(chip, k -> new ArrayList<>()).add(n);
                    maxFree.merge(chip, free.size(), Math::max);
                }
            });
        }
    }

    /**
     * This snapshot with {@code plan}'s devices taken: what the next job in a pass may use after
     * {@code plan} commits, without reading state again. Only the plan's nodes change; the other
     * node views are shared. Pure; equal to a fresh build over the committed state.
     */
    public ClusterSnapshot minus(PlacementResult.Plan plan) {
        Map<String, Map<String, java.util.Set<Integer>>> taken = new HashMap<>();
        for (ShardPlan s : plan.shards()) {
            taken.computeIfAbsent(s.node(), k -> new HashMap<>()).computeIfAbsent(s.chipType(), k -> new java.util.HashSet<>())
                    .addAll(s.devices());
        }
        List<NodeView> next = new ArrayList<>(nodes.size());
        for (NodeView n : nodes) {
            Map<String, java.util.Set<Integer>> mine = taken.get(n.name());
            if (mine == null) {
                next.add(n);
                continue;
            }
            Map<String, List<Integer>> free = new java.util.TreeMap<>();
            n.freeDevices().forEach((chip, devices) -> {
                java.util.Set<Integer> gone = mine.getOrDefault(chip, java.util.Set.of());
                List<Integer> left = devices.stream().filter(d -> !gone.contains(d)).toList();
                if (!left.isEmpty()) {
                    free.put(chip, left);
                }
            });
            next.add(new NodeView(n.name(), n.address(), n.labels(), free));
        }
        return new ClusterSnapshot(catalog, next, true);
    }

    /** From nodes already sorted by name (a derived snapshot). */
    private ClusterSnapshot(ChipCatalog catalog, List<NodeView> sortedNodes, boolean sorted) {
        this.catalog = catalog;
        this.nodes = Collections.unmodifiableList(sortedNodes);
        index();
    }

    /**
     * A digest of everything placement reads from this snapshot (each node's name, address,
     * labels and free devices): two snapshots with the same fingerprint give every job the same
     * placement, so a job that did not fit need not be tried again until it changes.
     */
    public long fingerprint() {
        if (fingerprint == null) {
            long h = 1125899906842597L;
            for (NodeView n : nodes) {
                h = 31 * h + n.hashCode();
            }
            fingerprint = h;
        }
        return fingerprint;
    }

    private Long fingerprint;

    public ChipCatalog catalog() {
        return catalog;
    }

    /** Every node, sorted by name. */
    public List<NodeView> nodes() {
        return nodes;
    }

    /** The nodes with at least one free device of {@code chipType}, sorted by name. */
    public List<NodeView> nodesWith(String chipType) {
        return byChip.getOrDefault(chipType, List.of());
    }

    /** The most free devices of {@code chipType} on any one node. */
    public int maxFree(String chipType) {
        return maxFree.getOrDefault(chipType, 0);
    }

    /** Chip type ids with free devices somewhere, in name order. */
    public List<String> chipTypes() {
        List<String> ids = new ArrayList<>(byChip.keySet());
        Collections.sort(ids);
        return ids;
    }
}
