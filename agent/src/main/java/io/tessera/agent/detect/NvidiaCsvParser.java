package io.tessera.agent.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]}. With a header the
 * columns are found by name (units in brackets ignored), so any field order or extra fields work;
 * without one they follow {@link #FIELDS}. Lines that do not parse are reported and skipped.
 */
public final class NvidiaCsvParser {
    /** The fields Tessera queries, in order. */
    public static final List<String> FIELDS = List.of("index", "uuid", "name", "memory.total", "memory.used",
            "utilization.gpu", "temperature.gpu", "power.draw", "ecc.errors.uncorrected.volatile.total",
            "mig.mode.current");

    private NvidiaCsvParser() {
    }

    public static Parsed parse(String output) {
        List<GpuReading> readings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            return new Parsed(readings, List.of("nvidia-smi printed nothing"));
        }
        Map<String, Integer> columns = new HashMap<>();
        int first = 0;
        if (lines.get(0).contains("index") || lines.get(0).contains("name")) {
            String[] header = lines.get(0).split(",");
            for (int i = 0; i < header.length; i++) {
                columns.put(header[i].replaceAll("\\[.*]", "").strip(), i);
            }
            first = 1;
        } else {
            for (int i = 0; i < FIELDS.size(); i++) {
                columns.put(FIELDS.get(i), i);
            }
        }
        for (String field : List.of("index", "name")) {
            if (!columns.containsKey(field)) {
                return new Parsed(readings, List.of("nvidia-smi CSV has no '" + field + "' column"));
            }
        }
        for (int n = first; n < lines.size(); n++) {
            String[] cells = lines.get(n).split(",", -1);
            GpuReading r = row(cells, columns);
            if (r == null) {
                problems.add("nvidia-smi CSV line " + (n + 1) + " is malformed: '" + abbreviate(lines.get(n)) + "'");
            } else {
                readings.add(r);
            }
        }
        return new Parsed(readings, problems);
    }

    private static GpuReading row(String[] cells, Map<String, Integer> columns) {
        if (cells.length < columns.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1) {
            return null;
        }
        Double index = Values.number(cell(cells, columns, "index"));
        String name = Values.text(cell(cells, columns, "name"));
        if (index == null || name == null) {
            return null;
        }
        return new GpuReading(index.intValue(), Values.text(cell(cells, columns, "uuid")), name,
                Values.number(cell(cells, columns, "memory.total")), Values.number(cell(cells, columns, "memory.used")),
                Values.number(cell(cells, columns, "utilization.gpu")),
                Values.number(cell(cells, columns, "temperature.gpu")), Values.number(cell(cells, columns, "power.draw")),
                Values.ecc(Values.number(cell(cells, columns, "ecc.errors.uncorrected.volatile.total"))),
                Values.mig(cell(cells, columns, "mig.mode.current")));
    }

    private static String cell(String[] cells, Map<String, Integer> columns, String field) {
        Integer i = columns.get(field);
        return i == null || i >= cells.length ? null : cells[i].strip();
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
