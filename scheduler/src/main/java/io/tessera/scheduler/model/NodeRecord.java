package io.tessera.scheduler.model;

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
 */
public record NodeRecord(String name, String address, Map<String, String> labels, List<DeviceReport> devices,
                         NodeState state, String registeredAt, long lastHeartbeatMs, boolean drained) {
    public NodeRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public NodeRecord withHeartbeat(List<DeviceReport> newDevices, long nowMs) {
        return new NodeRecord(name, address, labels, newDevices, NodeState.READY, registeredAt, nowMs, drained);
    }

    public NodeRecord withState(NodeState newState) {
        return new NodeRecord(name, address, labels, devices, newState, registeredAt, lastHeartbeatMs, drained);
    }

    public NodeRecord withDrained(boolean value) {
        return new NodeRecord(name, address, labels, devices, state, registeredAt, lastHeartbeatMs, value);
    }
}
