package io.tessera.scheduler.placement;

import io.tessera.config.ChipCatalog;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable view of schedulable capacity at one moment: the input of placement.
 * Nodes are kept sorted by name so that placement is deterministic whatever order state arrived in.
 */
public record ClusterSnapshot(ChipCatalog catalog, List<NodeView> nodes) {
    public ClusterSnapshot {
        nodes = nodes.stream().sorted(Comparator.comparing(NodeView::name)).toList();
    }
}
