package io.tessera.scheduler.placement;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One schedulable node inside a {@link ClusterSnapshot}: only READY nodes appear, and only their
 * free, healthy devices of known chip types.
 *
 * @param name        node name
 * @param address     where its workers are reachable
 * @param labels      node labels (rack, zone, ...)
 * @param freeDevices free healthy device indices per chip type id, each list ascending
 * @param containers  whether its agent can run workers in containers (it reported a runtime)
 */
public record NodeView(String name, String address, Map<String, String> labels, Map<String, List<Integer>> freeDevices,
                       boolean containers) {
    public NodeView {
        labels = Map.copyOf(labels);
        freeDevices = Map.copyOf(freeDevices);
    }

    /** A node without a container runtime. */
    public NodeView(String name, String address, Map<String, String> labels, Map<String, List<Integer>> freeDevices) {
        this(name, address, labels, freeDevices, false);
    }

    /** This node with the free devices of {@code chipTypes} left out. */
    public NodeView without(Set<String> chipTypes) {
        Map<String, List<Integer>> free = new TreeMap<>(freeDevices);
        free.keySet().removeAll(chipTypes);
        return new NodeView(name, address, labels, free, containers);
    }

    /** How many free devices of {@code chipType} the node has. */
    public int free(String chipType) {
        List<Integer> d = freeDevices.get(chipType);
        return d == null ? 0 : d.size();
    }
}
