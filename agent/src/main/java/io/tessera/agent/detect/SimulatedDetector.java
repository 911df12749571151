package io.tessera.agent.detect;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.DeviceReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Declares {@code count} healthy devices of one catalog chip type, for demos and tests.
 * An unknown chip type yields no devices and a problem, never an exception.
 */
public final class SimulatedDetector implements DeviceDetector {
    private final Optional<ChipType> chip;
    private final String chipType;
    private final String node;
    private final int count;

    public SimulatedDetector(ChipCatalog catalog, String chipType, int count, String node) {
        this.chip = catalog.byId(chipType);
        this.chipType = chipType;
        this.count = count;
        this.node = node;
    }

    @Override
    public Inventory detect() {
        if (chip.isEmpty()) {
            return new Inventory(List.of(), List.of("simulated chip type '" + chipType + "' is not in the catalog"));
        }
        ChipType c = chip.get();
        List<DeviceReport> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String raw = c.aliases().isEmpty() ? c.id() : c.aliases().get(0);
            devices.add(DeviceReport.basic(i, "sim-" + node + "-" + i, c.id(), raw, c.deviceHbmGiB(), true, null));
        }
        return new Inventory(devices, List.of());
    }
}
