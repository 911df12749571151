package io.tessera.config.wire;

import java.util.List;

/**
 * A periodic report from an agent: current device health, every shard it runs or ran since the
 * last acknowledged report, and which ports of the communication plans' range
 * ({@link CommPlan#PORT_BASE}, {@link CommPlan#PORT_SPAN}) something listens on at the node, so
 * new plans stay off them.
 */
public record Heartbeat(String node, List<DeviceReport> devices, List<ShardReport> shards, List<Integer> busyPorts) {
    /** At most this many busy ports are reported (the whole range). */
    public static final int MAX_BUSY_PORTS = CommPlan.PORT_SPAN;

    public Heartbeat {
        devices = devices == null ? List.of() : List.copyOf(devices);
        shards = shards == null ? List.of() : List.copyOf(shards);
        busyPorts = busyPorts == null ? List.of() : List.copyOf(busyPorts);
    }

    /** Without busy ports (an agent that predates them). */
    public Heartbeat(String node, List<DeviceReport> devices, List<ShardReport> shards) {
        this(node, devices, shards, null);
    }
}
