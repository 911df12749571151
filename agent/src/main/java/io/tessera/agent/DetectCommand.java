package io.tessera.agent;

import java.io.UncheckedIOException;
import io.tessera.agent.detect.Detectors;
import io.tessera.agent.detect.Inventory;
import io.tessera.agent.detect.ProcessCommandRunner;
import io.tessera.config.AgentConfig;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import io.tessera.config.ValidationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tessera detect}: runs the configured detectors once (or, without a config, nvidia-smi
 * and npu-smi) and prints the inventory as JSON on stdout and every problem on stderr. Exits 0
 * whenever detection ran, even if it found nothing; 2 only for an unusable config.
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect this node's accelerators once and print them as JSON (an operator's first debugging step).")
public final class DetectCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "agent config file; without one, nvidia-smi and npu-smi are tried")
    Path config;

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        try {
            cfg = config != null ? ConfigLoader.load(Optional.of(config), AgentConfig.class)
                    : new AgentConfig(null, "this-node", null, null,
                            List.of(new AgentConfig.DeviceSource("auto", null, null, null, null, null)), null, null, null, -1, null, null, null, null, null, null, null, null, null);
        } catch (ValidationException | UncheckedIOException e) {
            System.err.println("tessera detect: invalid config: " + e.getMessage());
            return 2;
        }
        ChipCatalog catalog = ChipCatalog.load(Optional.ofNullable(cfg.catalogFile()).map(Path::of));
        Inventory inv = Detectors.from(cfg, catalog, new ProcessCommandRunner()).detect();
        inv.problems().forEach(p -> System.err.println("tessera detect: " + p));
        System.out.println(Documents.json().writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("node", cfg.node(), "devices", inv.devices())));
        return 0;
    }
}
