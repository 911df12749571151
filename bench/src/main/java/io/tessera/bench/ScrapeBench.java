package io.tessera.bench;

import java.util.List;
import io.tessera.scheduler.metrics.FleetStats;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of a Prometheus scrape of a scheduler holding 10,000 nodes x 8 devices of 7 chip types,
 * with 100 running jobs (a heartbeat-age series per node, device counts, job gauges). Also times
 * {@code refresh}, the background step that replaces the gauges.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ScrapeBench {
    private SchedulerMetrics metrics;
    private FleetStats stats;

    @Setup
    public void setup() {
        metrics = new SchedulerMetrics();
        stats = fleet(10_000);
        metrics.refresh(stats);
        for (int i = 0; i < 1000; i++) {
            metrics.placement(2_000_000 + i * 1000L, i % 10 == 0 ? "unschedulable" : "placed", List.of("memory"));
        }
    }

    static FleetStats fleet(int nodes) {
        Map<FleetStats.DeviceKey, Integer> devices = new HashMap<>();
        Map<String, Double> age = new TreeMap<>();
        for (int i = 0; i < nodes; i++) {
            String chip = Fleets.CHIPS.get(i % 7);
            String vendor = Fleets.CATALOG.byId(chip).orElseThrow().vendor();
            devices.merge(new FleetStats.DeviceKey(vendor, chip, i % 3 == 0 ? "allocated" : "free"), 8, Integer::sum);
            age.put(String.format("node-%05d", i), (i % 20) / 10.0);
        }
        Map<String, Double> predicted = new TreeMap<>();
        Map<String, Map<String, Double>> shares = new TreeMap<>();
        Map<String, String> names = new HashMap<>();
        for (int j = 0; j < 100; j++) {
            predicted.put("job-" + j, 100.0 + j);
            shares.put("job-" + j, Map.of("nvidia", 0.5, "huawei", 0.3, "acme", 0.2));
            names.put("job-" + j, "train-" + j);
        }
        return new FleetStats(devices, Map.of("QUEUED", 5, "RUNNING", 100), 5, predicted, predicted, shares,
                Map.of("nvidia", 0.5, "huawei", 0.3, "acme", 0.2), age, names);
    }

    @Benchmark
    public String scrape() {
        return metrics.scrape();
    }

    @Benchmark
    public SchedulerMetrics refresh() {
        metrics.refresh(stats);
        return metrics;
    }
}
