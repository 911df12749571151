package io.tessera.scheduler.model;

import io.tessera.config.wire.DeviceReport;
import java.util.Locale;

/**
 * What a device is doing, as every reader counts it: the node and fleet APIs, the CLI, the fleet
 * metrics and the placement snapshot. One classification: a device is {@link #UNHEALTHY} when its
 * agent says so or its node is lost, else {@link #ALLOCATED} when a shard holds it, else
 * {@link #FREE}. Whether a free device can be placed on now also depends on its node (READY and
 * not drained: {@code SnapshotBuilder}), which the APIs show beside it.
 */
public enum DeviceState {
    FREE,
    ALLOCATED,
    UNHEALTHY;

    /** The state of {@code device} on {@code node}; {@code held}: whether a shard's assignment holds it. */
    public static DeviceState of(NodeRecord node, DeviceReport device, boolean held) {
        if (!device.healthy() || node.state() == NodeState.LOST) {
            return UNHEALTHY; // nobody can use a lost node's devices, whatever they last reported
        }
        return held ? ALLOCATED : FREE;
    }

    /** As the API, the CLI and the metrics' {@code state} label spell it: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
