package io.tessera.agent.detect;

import io.tessera.config.wire.DeviceReport;
import java.util.List;

/**
 * What one detection run found: the devices, and the problems met along the way (a tool that
 * failed, an unknown model). A partial inventory with problems is normal, never an exception.
 * {@code failed} says the source could not be read at all (tool missing, hung, crashed).
 */
public record Inventory(List<DeviceReport> devices, List<String> problems, boolean failed) {
    public Inventory {
        devices = List.copyOf(devices);
        problems = List.copyOf(problems);
    }

    public Inventory(List<DeviceReport> devices, List<String> problems) {
        this(devices, problems, false);
    }

    public static Inventory failure(String problem) {
        return new Inventory(List.of(), List.of(problem), true);
    }
}
