package io.tessera.config.wire;

import java.util.List;

/**
 * A periodic report from an agent: current device health and every shard it runs or ran
 * since the last acknowledged report.
 */
public record Heartbeat(String node, List<DeviceReport> devices, List<ShardReport> shards) {
    public Heartbeat {
        devices = devices == null ? List.of() : List.copyOf(devices);
        shards = shards == null ? List.of() : List.copyOf(shards);
    }
}
