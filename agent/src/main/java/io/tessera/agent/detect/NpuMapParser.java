package io.tessera.agent.detect;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code npu-smi info -m}: one row per chip with NPU id, chip id, chip logic id (the
 * index ASCEND_RT_VISIBLE_DEVICES uses) and chip name. Rows whose logic id is not a number
 * (management MCUs) are not compute chips and are skipped.
 */
public final class NpuMapParser {
    /** One compute chip. */
    public record Mapping(int npu, int chip, int logicId, String name) {
    }

    private NpuMapParser() {
    }

    public static List<Mapping> parse(String output) {
        List<Mapping> out = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] t = line.strip().split("\\s+");
            if (t.length >= 4 && t[0].matches("\\d+") && t[1].matches("\\d+") && t[2].matches("\\d+")) {
                String name = String.join(" ", Arrays.copyOfRange(t, 3, t.length));
                out.add(new Mapping(Integer.parseInt(t[0]), Integer.parseInt(t[1]), Integer.parseInt(t[2]), name));
            }
        }
        return out;
    }

    /** {@code Key : Value} lines of {@code npu-smi info -t ... -i N} as a lookup. */
    public static Map<String, String> keyValues(String output) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return out;
    }
}
