package io.tessera.scheduler.placement;

import java.util.List;
import java.util.Map;

/**
 * One schedulable node inside a {@link ClusterSnapshot}: only READY nodes appear, and only their
 * free, healthy devices of known chip types.
 *
 * @param name        node name
 * @param address     where its workers are reachable
 * @param labels      node labels (rack, zone, ...)
 * @param freeDevices free healthy device indices per chip type id, each list ascending
 */
public record NodeView(String name, String address, Map<String, String> labels, Map<String, List<Integer>> freeDevices) {
    public NodeView {
        labels = Map.copyOf(labels);
        freeDevices = Map.copyOf(freeDevices);
    }

    /** How many free devices of {@code chipType} the node has. */
    public int free(String chipType) {
        List<Integer> d = freeDevices.get(chipType);
        return d == null ? 0 : d.size();
    }
}
