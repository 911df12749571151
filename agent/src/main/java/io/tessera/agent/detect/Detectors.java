package io.tessera.agent.detect;

import io.tessera.config.AgentConfig;
import io.tessera.config.AgentConfig.DeviceSource;
import io.tessera.config.ChipCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds the detector an agent configuration asks for: one per source, merged by {@link CompositeDetector}. */
public final class Detectors {
    private Detectors() {
    }

    public static DeviceDetector from(AgentConfig config, ChipCatalog catalog, CommandRunner runner) {
        List<DeviceDetector> sources = new ArrayList<>();
        for (DeviceSource s : config.devices()) {
            sources.addAll(of(s, config.node(), catalog, runner));
        }
        return new CompositeDetector(sources);
    }

    /** The detectors of one source ({@code auto} yields both vendor tools). */
    public static List<DeviceDetector> of(DeviceSource s, String node, ChipCatalog catalog, CommandRunner runner) {
        Duration timeout = Duration.ofMillis(s.timeoutMs());
        return switch (s.source()) {
            case "nvidia" -> List.of(new NvidiaSmiDetector(runner, tool(s, "nvidia-smi"), timeout, catalog));
            case "ascend" -> List.of(new NpuSmiDetector(runner, tool(s, "npu-smi"), timeout, catalog));
            case "auto" -> List.of(new NvidiaSmiDetector(runner, "nvidia-smi", timeout, catalog),
                    new NpuSmiDetector(runner, "npu-smi", timeout, catalog));
            case "plugin" -> List.of(new ExecPluginDetector(runner, s.command(), timeout, catalog));
            case "static" -> List.of(new StaticDetector(s.static_(), catalog));
            default -> List.of(new SimulatedDetector(catalog, s.chipType(), s.count(), node));
        };
    }

    private static String tool(DeviceSource s, String dflt) {
        return s.command() != null ? s.command() : dflt;
    }
}
