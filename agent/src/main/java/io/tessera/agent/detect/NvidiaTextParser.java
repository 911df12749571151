package io.tessera.agent.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the plain {@code nvidia-smi -q} report: a block per "GPU bus-id" line, indented
 * "Key : Value" lines, and section headings without a colon. GPUs are indexed in report order.
 */
public final class NvidiaTextParser {
    private NvidiaTextParser() {
    }

    public static Parsed parse(String text) {
        List<GpuReading> readings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<List<String>> blocks = new ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.matches("^GPU [0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f]\\s*$")) {
                blocks.add(new ArrayList<>());
            } else if (!blocks.isEmpty()) {
                blocks.get(blocks.size() - 1).add(line);
            }
        }
        for (int i = 0; i < blocks.size(); i++) {
            Block b = new Block(blocks.get(i));
            String name = Values.text(b.get("Product Name"));
            if (name == null) {
                problems.add("nvidia-smi -q GPU " + i + " has no product name");
                continue;
            }
            Double power = Values.number(b.get("GPU Power Readings/Power Draw"));
            if (power == null) {
                power = Values.number(b.get("GPU Power Readings/Instantaneous Power Draw"));
            }
            Double ecc = Values.number(b.get("ECC Errors/Volatile/DRAM Uncorrectable"));
            readings.add(new GpuReading(i, Values.text(b.get("GPU UUID")), name, Values.number(b.get("FB Memory Usage/Total")),
                    Values.number(b.get("FB Memory Usage/Used")), Values.number(b.get("Utilization/GPU")),
                    Values.number(b.get("Temperature/GPU Current Temp")), power, Values.ecc(ecc),
                    Values.mig(b.get("MIG Mode/Current"))));
        }
        if (blocks.isEmpty()) {
            problems.add("nvidia-smi -q lists no GPU");
        }
        return new Parsed(readings, problems);
    }

    /** The indented key/value lines of one GPU, addressed by "Section/Sub/Key" paths. */
    private record Block(List<String> lines) {
        String get(String path) {
            List<String> stack = new ArrayList<>();
            List<Integer> indents = new ArrayList<>();
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                int indent = line.length() - line.stripLeading().length();
                while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
                    indents.remove(indents.size() - 1);
                    stack.remove(stack.size() - 1);
                }
                int colon = line.indexOf(" : ");
                String key = (colon < 0 ? line : line.substring(0, colon)).strip();
                String full = stack.isEmpty() ? key : String.join("/", stack) + "/" + key;
                if (colon >= 0 && full.equals(path)) {
                    return line.substring(colon + 3).strip();
                }
                if (colon < 0) {
                    stack.add(key);
                    indents.add(indent);
                }
            }
            return null;
        }
    }
}
