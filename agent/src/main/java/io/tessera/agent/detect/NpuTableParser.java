package io.tessera.agent.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code npu-smi info} table. Each NPU has a name row (NPU id, model, Health, power,
 * temperature) followed by one row per chip (chip id, Bus-Id, AICore %, memory and HBM usage);
 * 910C-style NPUs list several chips. Rows that do not parse are reported and skipped.
 */
public final class NpuTableParser {
    private static final Pattern BUS_ID = Pattern.compile("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f]");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

    /**
     * One chip row with its NPU's figures.
     *
     * @param npu npu id; chip its chip id within the NPU; name the model; health the Health column
     */
    public record Chip(int npu, int chip, String name, String health, Double powerW, Double temperatureC,
                       Double aicorePercent, Double hbmUsedMB, Double hbmTotalMB) {
    }

    /** The parsed chips and problems. */
    public record Table(List<Chip> chips, List<String> problems) {
    }

    private NpuTableParser() {
    }

    public static Table parse(String output) {
        List<Chip> chips = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String[] npu = null; // id, name, health, power, temp
        boolean npuHasChips = true;
        for (String line : output.lines().toList()) {
            if (!line.startsWith("|") || line.contains("NPU ") && line.contains("Name") || line.contains("Bus-Id")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 4) {
                continue;
            }
            String first = cells[1].strip();
            String second = cells[2].strip();
            List<Double> numbers = numbers(cells[3]);
            String[] tokens = first.split("\\s+");
            if (BUS_ID.matcher(second).matches()) {
                if (npu == null || !tokens[0].matches("\\d+")) {
                    problems.add("npu-smi chip row without its NPU row: '" + NvidiaCsvParser.abbreviate(line) + "'");
                    continue;
                }
                String chipName = tokens.length > 1 && !tokens[1].matches("\\d+") ? tokens[1] : null;
                chips.add(chip(npu, Integer.parseInt(tokens[0]), chipName, numbers));
                npuHasChips = true;
            } else if (tokens.length >= 2 && tokens[0].matches("\\d+") && !second.isEmpty()) {
                closeNpu(npu, npuHasChips, chips, problems);
                npuHasChips = false;
                npu = new String[] {tokens[0], first.substring(tokens[0].length()).strip(), second,
                        numbers.size() > 0 ? numbers.get(0).toString() : null,
                        numbers.size() > 1 ? numbers.get(1).toString() : null};
            } else if (!first.isEmpty() && !first.startsWith("=") && !first.startsWith("Process")) {
                problems.add("npu-smi row not understood: '" + NvidiaCsvParser.abbreviate(line) + "'");
            }
        }
        closeNpu(npu, npuHasChips, chips, problems);
        return new Table(chips, problems);
    }

    /** An NPU row with no chip row after it (truncated output) still stands for one chip. */
    private static void closeNpu(String[] npu, boolean hadChips, List<Chip> chips, List<String> problems) {
        if (npu != null && !hadChips) {
            problems.add("npu-smi lists NPU " + npu[0] + " without a chip row (truncated output?); assuming one chip");
            chips.add(chip(npu, 0, null, List.of()));
        }
    }

    private static Chip chip(String[] npu, int chipId, String chipName, List<Double> n) {
        // Chip metrics: AICore(%), Memory used / total, HBM used / total (older layouts stop after memory).
        Double aicore = n.size() > 0 ? n.get(0) : null;
        Double hbmUsed = n.size() >= 5 ? n.get(3) : null;
        Double hbmTotal = n.size() >= 5 ? n.get(4) : null;
        return new Chip(Integer.parseInt(npu[0]), chipId, chipName != null ? chipName : npu[1], npu[2],
                npu[3] == null ? null : Double.valueOf(npu[3]), npu[4] == null ? null : Double.valueOf(npu[4]),
                aicore, hbmUsed, hbmTotal);
    }

    private static List<Double> numbers(String cell) {
        List<Double> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(cell);
        while (m.find()) {
            out.add(Double.valueOf(m.group()));
        }
        return out;
    }
}
