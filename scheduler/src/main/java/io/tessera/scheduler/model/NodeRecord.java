package io.tessera.scheduler.model;

import io.tessera.config.wire.ContainerSupport;
import io.tessera.config.wire.LogEndpoint;
import io.tessera.config.wire.DeviceReport;
import java.util.List;
import java.util.Map;

/**
 * A node as stored in cluster state.
 *
 * @param name            node name
 * @param address         where workers on it are reachable
 * @param labels          node labels
 * @param devices         the last reported inventory, health included
 * @param state           READY or LOST
 * @param registeredAt    ISO-8601 time of the latest registration
 * @param lastHeartbeatMs epoch millis of the latest heartbeat or registration
 * @param drained         set by an admin: running work stays, nothing new lands on it
 * @param acceptedDevices how many devices the node may offer: its first inventory, grown by
 *                        {@code limits.inventoryGrowth} or an admin's acceptance; devices beyond it take no work
 * @param logs            where its agent serves worker logs, with the key to present; null if it serves none
 * @param containers      its container runtime as its agent reported it; null: host processes only
 * @param busyPorts       ports in the communication plans' range that something listens on there, as its agent
 *                        last reported: new plans stay off them (issue 27, N8)
 */
public record NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                         NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained,
                         Integer acceptedDevices, LogEndpoint logs, ContainerSupport containers, List<Integer> busyPorts) {
    public NodeRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        devices = devices == null ? List.of() : List.copyOf(devices);
        busyPorts = busyPorts == null ? List.of() : List.copyOf(busyPorts);
        acceptedDevices = acceptedDevices == null ? devices.size() : acceptedDevices; // records stored before the field
    }

    public NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                      NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained, Integer acceptedDevices) {
        this(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, acceptedDevices, null, null);
    }

    public NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                      NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained, Integer acceptedDevices,
                      LogEndpoint logs) {
        this(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, acceptedDevices, logs, null);
    }

    /** A node whose whole inventory is accepted. */
    public NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                      NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained) {
        this(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, devices == null ? 0 : devices.size());
    }

    public NodeRecord withHeartbeat(List<DeviceReport> newDevices, long nowMs) {
        return new NodeRecord(name, address, labels, newDevices, NodeState.READY, registeredAt, nowMs, drained, acceptedDevices, logs, containers, busyPorts);
    }

    /** The 11-part record, with no busy ports (records from before the field, and tests). */
    public NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                      NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained, Integer acceptedDevices,
                      LogEndpoint logs, ContainerSupport containers) {
        this(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, acceptedDevices, logs, containers,
                null);
    }

    /** This node with the plan-range ports its agent found busy. */
    public NodeRecord withBusyPorts(List<Integer> ports) {
        return new NodeRecord(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, acceptedDevices,
                logs, containers, ports);
    }

    public NodeRecord withState(NodeState newState) {
        return new NodeRecord(name, address, labels, devices, newState, registeredAt, lastHeartbeatMs, drained, acceptedDevices, logs, containers, busyPorts);
    }

    public NodeRecord withDrained(boolean value) {
        return new NodeRecord(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, value, acceptedDevices, logs, containers, busyPorts);
    }

    /** The same node, last heard from at {@code ms} if that is later than what it holds. */
    public NodeRecord heardAt(Long ms) {
        return ms == null || ms <= lastHeartbeatMs ? this
                : new NodeRecord(name, address, labels, devices, state, registeredAt, ms, drained, acceptedDevices, logs, containers, busyPorts);
    }

    /** The same node with every device it reports now accepted. */
    public NodeRecord withInventoryAccepted() {
        return new NodeRecord(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, drained, devices.size(), logs, containers, busyPorts);
    }

    /** Whether workers can run in containers on it. */
    public boolean runsContainers() {
        return containers != null;
    }
}
