package io.tessera.agent.detect;

import io.tessera.config.wire.DeviceReport;
import java.util.List;

/**
 * What one detection run found: the devices, and the problems met along the way (a tool that
 * failed, an unknown model). A partial inventory with problems is normal, never an exception.
 */
public record Inventory(List<DeviceReport> devices, List<String> problems) {
    public Inventory {
        devices = List.copyOf(devices);
        problems = List.copyOf(problems);
    }
}
