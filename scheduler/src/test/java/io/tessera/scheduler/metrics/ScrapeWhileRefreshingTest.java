package io.tessera.scheduler.metrics;

import java.util.Comparator;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A scrape that runs while the fleet gauges are being replaced still succeeds. Regression: the
 * gauge refresher re-registers every row, and a concurrent scrape could see a row twice
 * (Micrometer's MultiGauge overwrite race), so {@code GET /metrics} answered 500 now and then.
 */
class ScrapeWhileRefreshingTest {

    private static FleetStats stats(int round) {
        Map<FleetStats.DeviceKey, Integer> devices = new TreeMap<>(
                Comparator.comparing(FleetStats.DeviceKey::state).thenComparing(FleetStats.DeviceKey::chipType));
        Map<String, Double> age = new TreeMap<>();
        for (int n = 0; n < 50; n++) {
            devices.put(new FleetStats.DeviceKey("nvidia", "chip-" + n, "free"), round % 4);
            age.put("node-" + n, (double) round);
        }
        Map<String, Double> rate = new TreeMap<>();
        for (int j = 0; j < 20; j++) {
            rate.put("job-" + j, 10.0 + round);
        }
        return new FleetStats(devices, Map.of("RUNNING", round), round, rate, rate, Map.of(), Map.of("nvidia", 1.0),
                age, Map.of());
    }

    @Test
    void everyScrapeSucceedsWhileGaugesAreReplaced() throws Exception {
        SchedulerMetrics metrics = new SchedulerMetrics();
        metrics.refresh(stats(0));
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> refresher = pool.submit(() -> {
                for (int round = 1; round < 500; round++) {
                    metrics.refresh(stats(round));
                }
                done.set(true);
            });
            Future<List<String>> scraper = pool.submit(() -> {
                List<String> failures = new ArrayList<>();
                while (!done.get() && failures.size() < 5) {
                    try {
                        String text = metrics.scrape();
                        if (!text.contains("tessera_node_heartbeat_age_seconds")) {
                            failures.add("a scrape lacked the heartbeat gauges");
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
                return failures;
            });
            refresher.get(120, TimeUnit.SECONDS);
            assertThat(scraper.get(120, TimeUnit.SECONDS)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
