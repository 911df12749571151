package io.tessera.agent;

import io.tessera.config.wire.DeviceReport;
import java.util.List;
import java.util.Optional;

/** The latest device inventory, shared by the heartbeat loop (writer) and the worker supervisor (reader). */
public final class InventoryView {
    private volatile List<DeviceReport> devices = List.of();

    void update(List<DeviceReport> latest) {
        devices = List.copyOf(latest);
    }

    /** The visibility variable a plug-in declared for these devices, if any. */
    public Optional<String> visibilityEnvFor(List<Integer> indices) {
        return devices.stream().filter(d -> indices.contains(d.index()) && d.visibilityEnv() != null)
                .map(DeviceReport::visibilityEnv).findFirst();
    }

    /** Those of {@code indices} that are currently unhealthy. */
    public List<DeviceReport> unhealthyAmong(List<Integer> indices) {
        return devices.stream().filter(d -> indices.contains(d.index()) && !d.healthy()).toList();
    }
}
