package io.tessera.agent.detect;

import java.util.function.Function;
import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds Nvidia GPUs with {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}; when a
 * field is not supported by the installed driver it falls back to {@code nvidia-smi -q -x}, then
 * to the plain {@code -q} report. Unhealthy: uncorrected volatile ECC errors. Unavailable: MIG mode.
 */
public final class NvidiaSmiDetector implements DeviceDetector {
    private final CommandRunner runner;
    private final String tool;
    private final Duration timeout;
    private final DeviceMapper mapper;

    public NvidiaSmiDetector(CommandRunner runner, String tool, Duration timeout, ChipCatalog catalog) {
        this.runner = runner;
        this.tool = tool;
        this.timeout = timeout;
        this.mapper = new DeviceMapper(catalog);
    }

    @Override
    public Inventory detect() {
        CommandResult csv = runner.run(List.of(tool, "--query-gpu=" + String.join(",", NvidiaCsvParser.FIELDS),
                "--format=csv,noheader,nounits"), timeout);
        if (csv.failure() != null) {
            return Inventory.failure(csv.describe("nvidia-smi"));
        }
        if (driverDown(csv)) {
            return Inventory.failure("nvidia-smi cannot reach the NVIDIA driver: " + csv.stdout().strip());
        }
        List<String> problems = new ArrayList<>();
        Parsed parsed = csv.ok() ? NvidiaCsvParser.parse(csv.stdout()) : null;
        if (parsed == null || parsed.readings().isEmpty() && !csv.stdout().isBlank()) {
            problems.add(parsed == null ? csv.describe("nvidia-smi --query-gpu") + "; trying -q -x"
                    : "nvidia-smi CSV unreadable (" + String.join("; ", parsed.problems()) + "); trying -q -x");
            parsed = fallback(problems);
            if (parsed == null) {
                return new Inventory(List.of(), problems, true);
            }
        }
        problems.addAll(parsed.problems());
        List<DeviceReport> devices = new ArrayList<>();
        parsed.readings().forEach(r -> devices.add(mapper.map(r, problems, null)));
        return new Inventory(devices, problems, false);
    }

    /** The report formats tried when the CSV query fails, in order. */
    private static final List<Fallback> FALLBACKS = List.of(
            new Fallback(List.of("-q", "-x"), NvidiaXmlParser::parse),
            new Fallback(List.of("-q"), NvidiaTextParser::parse));

    private record Fallback(List<String> args, Function<String, Parsed> parser) {
    }

    /** {@code -q -x}, then {@code -q}; null when neither works. */
    private Parsed fallback(List<String> problems) {
        for (Fallback f : FALLBACKS) {
            List<String> argv = new ArrayList<>(List.of(tool));
            argv.addAll(f.args());
            CommandResult r = runner.run(argv, timeout);
            if (!r.ok()) {
                problems.add(r.describe("nvidia-smi " + String.join(" ", f.args())));
                continue;
            }
            Parsed p = f.parser().apply(r.stdout());
            if (!p.readings().isEmpty()) {
                return p;
            }
            problems.addAll(p.problems());
        }
        return null;
    }

    private static boolean driverDown(CommandResult r) {
        String all = r.stdout() + r.stderr();
        return all.contains("couldn't communicate with the NVIDIA driver") || all.contains("NVIDIA-SMI has failed");
    }
}
