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
        for (NodeView n : this.nodes) {
            n.freeDevices().forEach((chip, free) -> {
                if (!free.isEmpty()) {
                    byChip.computeIfAbsent(chip, k -> new ArrayList<>()).add(n);
                    maxFree.merge(chip, free.size(), Math::max);
                }
            });
        }
    }

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
