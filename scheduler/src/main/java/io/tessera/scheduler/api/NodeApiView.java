package io.tessera.scheduler.api;

import java.util.function.Predicate;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ContainerSupport;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.DeviceState;
import io.tessera.scheduler.model.NodeRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node as the REST API returns it, each device with its scheduling state: free, allocated or
 * unhealthy (as are all of a LOST node's devices, as in the {@code tessera_devices} gauge), and
 * its container runtime when it has one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeApiView(String name, String address, String state, boolean drained, Map<String, String> labels,
                          long heartbeatAgeMs, Map<String, Integer> deviceCounts, List<DeviceView> devices,
                          ContainerSupport containers) {

    /**
     * One device, in parts that the JSON shows as one flat object: what it is, its state
     * ({@code unhealthy}, {@code allocated} or {@code free}), the shard holding it (null: none, or
     * not the caller's to see), why it is unhealthy, and its last telemetry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceView(@JsonUnwrapped Hardware hardware, String state, @JsonUnwrapped Holder holder, String problem,
                             @JsonUnwrapped Telemetry telemetry) {
    }

    /** What the device is: its index and uuid, catalog chip type, the vendor's name for it, and its memory. */
    public record Hardware(int index, String uuid, String chipType, String rawName, double memoryGiB) {
    }

    /** The shard on the device. */
    public record Holder(String jobId, Integer shard) {
    }

    /** The device's last reported telemetry; each null where the vendor tool reports none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Telemetry(Double utilizationPercent, Double memoryUsedGiB, Double temperatureC, Double powerW) {
    }

    public static NodeApiView of(NodeRecord node, AssignmentSet set, long nowMs) {
        return of(node, set, nowMs, job -> true);
    }

    /** With the job holding a device shown only where {@code visible} says so (a user sees their own jobs only). */
    public static NodeApiView of(NodeRecord node, AssignmentSet set, long nowMs, Predicate<String> visible) {
        Map<Integer, ShardAssignment> holder = new HashMap<>();
        if (set != null) {
            set.shards().forEach(a -> a.devices().forEach(d -> holder.put(d, a)));
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (DeviceState each : DeviceState.values()) {
            counts.put(each.wireName(), 0);
        }
        List<DeviceView> devices = node.devices().stream().map(d -> {
            ShardAssignment a = holder.get(d.index());
            String state = DeviceState.of(node, d, a != null).wireName();
            counts.merge(state, 1, Integer::sum);
            return view(d, state, a != null && visible.test(a.jobId()) ? a : null);
        }).toList();
        return new NodeApiView(node.name(), node.address(), node.state().name(), node.drained(), node.labels(),
                Math.max(0, nowMs - node.lastHeartbeatMs()), counts, devices, node.containers());
    }

    private static DeviceView view(DeviceReport d, String state, ShardAssignment a) {
        return new DeviceView(new Hardware(d.index(), d.uuid(), d.chipType(), d.rawName(), d.memoryGiB()), state,
                a == null ? null : new Holder(a.jobId(), a.shard()), d.problem(),
                new Telemetry(d.utilizationPercent(), d.memoryUsedGiB(), d.temperatureC(), d.powerW()));
    }
}
