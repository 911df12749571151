package io.tessera.agent.detect;

import io.tessera.config.AgentConfig.StaticDevice;
import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import java.util.ArrayList;
import java.util.List;

/** A fixed inventory written in the agent config, for hardware no tool can describe. */
public final class StaticDetector implements DeviceDetector {
    private final List<StaticDevice> devices;
    private final DeviceMapper mapper;

    public StaticDetector(List<StaticDevice> devices, ChipCatalog catalog) {
        this.devices = List.copyOf(devices);
        this.mapper = new DeviceMapper(catalog);
    }

    @Override
    public Inventory detect() {
        List<String> problems = new ArrayList<>();
        List<DeviceReport> out = new ArrayList<>();
        for (StaticDevice d : devices) {
            GpuReading r = new GpuReading(d.index(), d.uuid(), d.model(), d.memoryGiB() == null ? null : d.memoryGiB() * 1024,
                    null, null, null, null, Boolean.FALSE.equals(d.healthy()) ? "marked unhealthy in the agent config" : null,
                    null);
            out.add(mapper.map(r, problems, d.visibilityEnv()));
        }
        return new Inventory(out, problems, false);
    }
}
