package io.tessera.agent.detect;

import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds Ascend NPUs with {@code npu-smi info} (the table) and {@code npu-smi info -m} (chip logic
 * ids: the indices ASCEND_RT_VISIBLE_DEVICES uses; every chip of a multi-chip NPU is a device).
 * Where the table lacks a field (or, as on some 910A drivers, prints nothing) it asks
 * {@code npu-smi info -t usages -i N} for HBM and {@code -t health -i N -c C} for health.
 * Unhealthy: a Health other than OK.
 */
public final class NpuSmiDetector implements DeviceDetector {
    private final CommandRunner runner;
    private final String tool;
    private final Duration timeout;
    private final DeviceMapper mapper;

    public NpuSmiDetector(CommandRunner runner, String tool, Duration timeout, ChipCatalog catalog) {
        this.runner = runner;
        this.tool = tool;
        this.timeout = timeout;
        this.mapper = new DeviceMapper(catalog);
    }

    @Override
    public Inventory detect() {
        CommandResult info = runner.run(List.of(tool, "info"), timeout);
        if (info.failure() != null || info.exitCode() != 0) {
            return Inventory.failure(info.describe("npu-smi info"));
        }
        List<String> problems = new ArrayList<>();
        NpuTableParser.Table table = NpuTableParser.parse(info.stdout());
        problems.addAll(table.problems());
        CommandResult m = runner.run(List.of(tool, "info", "-m"), timeout);
        List<NpuMapParser.Mapping> map = m.ok() ? NpuMapParser.parse(m.stdout()) : List.of();
        if (!m.ok()) {
            problems.add(m.describe("npu-smi info -m") + "; numbering chips in table order");
        }
        List<DeviceReport> devices = new ArrayList<>();
        if (!table.chips().isEmpty()) {
            fromTable(table, map, problems, devices);
        } else if (!map.isEmpty()) {
            problems.add("npu-smi info printed no table; reading each chip with npu-smi info -t");
            for (NpuMapParser.Mapping c : map) {
                devices.add(fromQueries(c, problems));
            }
        } else {
            return new Inventory(List.of(), append(problems, "npu-smi listed no NPU"), true);
        }
        return new Inventory(devices, problems, false);
    }

    private void fromTable(NpuTableParser.Table table, List<NpuMapParser.Mapping> map, List<String> problems,
                           List<DeviceReport> devices) {
        Map<String, NpuMapParser.Mapping> byChip = new HashMap<>();
        map.forEach(c -> byChip.put(c.npu() + "/" + c.chip(), c));
        int sequential = 0;
        for (NpuTableParser.Chip c : table.chips()) {
            NpuMapParser.Mapping mapping = byChip.get(c.npu() + "/" + c.chip());
            int index = mapping != null ? mapping.logicId() : sequential;
            sequential++;
            Double hbm = c.hbmTotalMB() != null && c.hbmTotalMB() > 0 ? c.hbmTotalMB() : hbmCapacity(c.npu(), problems);
            String health = "OK".equalsIgnoreCase(c.health()) ? null : "npu-smi Health is " + c.health();
            GpuReading r = new GpuReading(index, "npu" + c.npu() + "-chip" + c.chip(), c.name(), hbm, c.hbmUsedMB(),
                    c.aicorePercent(), c.temperatureC(), c.powerW(), health, null);
            devices.add(mapper.map(r, problems, null, mapping == null ? c.name() : mapping.name()));
        }
    }

    private DeviceReport fromQueries(NpuMapParser.Mapping c, List<String> problems) {
        Map<String, String> usages = query(List.of(tool, "info", "-t", "usages", "-i", Integer.toString(c.npu())), problems);
        Map<String, String> health = query(List.of(tool, "info", "-t", "health", "-i", Integer.toString(c.npu()),
                "-c", Integer.toString(c.chip())), problems);
        Double hbm = Values.number(usages.get("HBM Capacity(MB)"));
        Double rate = Values.number(usages.get("HBM Usage Rate(%)"));
        String status = health.get("Health Status");
        String problem = status == null ? "npu-smi did not report health" : "OK".equalsIgnoreCase(status) ? null
                : "npu-smi Health Status is " + status;
        GpuReading r = new GpuReading(c.logicId(), "npu" + c.npu() + "-chip" + c.chip(), c.name(), hbm,
                hbm != null && rate != null ? hbm * rate / 100 : null, Values.number(usages.get("Aicore Usage Rate(%)")),
                null, null, problem, null);
        return mapper.map(r, problems, null);
    }

    private Double hbmCapacity(int npu, List<String> problems) {
        return Values.number(query(List.of(tool, "info", "-t", "usages", "-i", Integer.toString(npu)), problems)
                .get("HBM Capacity(MB)"));
    }

    private Map<String, String> query(List<String> argv, List<String> problems) {
        CommandResult r = runner.run(argv, timeout);
        if (!r.ok()) {
            problems.add(r.describe(String.join(" ", argv.subList(1, argv.size()))));
            return Map.of();
        }
        return NpuMapParser.keyValues(r.stdout());
    }

    private static List<String> append(List<String> list, String item) {
        list.add(item);
        return list;
    }
}
