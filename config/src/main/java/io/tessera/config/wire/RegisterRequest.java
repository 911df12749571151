package io.tessera.config.wire;

import java.util.List;
import java.util.Map;

/**
 * An agent announcing itself; sent at start and whenever the scheduler no longer knows the node.
 *
 * @param node    the node name
 * @param address where workers on other nodes reach this node
 * @param labels  node labels (rack, zone, ...)
 * @param devices the full device inventory
 * @param shards  shards the agent is already running (so a restarted scheduler can adopt them)
 * @param logs    where the agent serves worker logs to the scheduler; null when it serves none
 * @param containers the node's container runtime; null when workers run only as host processes
 */
public record RegisterRequest(String node, String address, Map<String, String> labels, List<DeviceReport> devices,
                              List<ShardReport> shards, LogEndpoint logs, ContainerSupport containers) {
    public RegisterRequest(String node, String address, Map<String, String> labels, List<DeviceReport> devices,
                           List<ShardReport> shards, LogEndpoint logs) {
        this(node, address, labels, devices, shards, logs, null);
    }

    public RegisterRequest(String node, String address, Map<String, String> labels, List<DeviceReport> devices,
                           List<ShardReport> shards) {
        this(node, address, labels, devices, shards, null);
    }

    public RegisterRequest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        devices = devices == null ? List.of() : List.copyOf(devices);
        shards = shards == null ? List.of() : List.copyOf(shards);
    }
}
