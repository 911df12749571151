package io.tessera.agent.detect;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.DeviceReport;
import java.util.List;
import java.util.Optional;

/**
 * Turns tool readings into device reports: the product name is resolved through the catalog's
 * aliases; an unknown model is reported as chip type {@code unknown} with its raw name (never
 * dropped, never scheduled). Memory comes from the tool, else the catalog.
 */
final class DeviceMapper {
    private final ChipCatalog catalog;

    DeviceMapper(ChipCatalog catalog) {
        this.catalog = catalog;
    }

    DeviceReport map(GpuReading r, List<String> problems, String visibilityEnv, String... extraNames) {
        Optional<ChipType> chip = catalog.resolve(r.rawName());
        for (String name : extraNames) {
            chip = chip.or(() -> catalog.resolve(name));
        }
        if (chip.isEmpty()) {
            problems.add("device " + r.index() + ": model '" + r.rawName() + "' is not in the chip catalog; reported as "
                    + "unknown and not scheduled (add an alias to the catalog)");
        }
        double memory = r.memoryMiB() != null ? r.memoryMiB() / 1024.0 : chip.map(ChipType::deviceHbmGiB).orElse(0.0);
        String problem = r.healthProblem() != null ? r.healthProblem() : r.unavailable();
        return new DeviceReport(r.index(), r.uuid(), chip.map(ChipType::id).orElse(DeviceReport.UNKNOWN_CHIP),
                r.rawName(), round(memory), problem == null, problem, r.utilization(),
                r.memoryUsedMiB() == null ? null : round(r.memoryUsedMiB() / 1024.0), r.temperatureC(), r.powerW(),
                visibilityEnv);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
