package io.tessera.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.agent.metrics.AgentMetrics;
import io.tessera.config.ChipCatalog;
import io.tessera.config.wire.DeviceReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    private final AgentMetrics metrics = new AgentMetrics("n1", ChipCatalog.builtIn());

    @Test
    void deviceGaugesFollowTheLatestInventoryForEveryVendor() {
        metrics.devices(List.of(
                new DeviceReport(0, "u0", "ascend-910b3", "910B3", 64, true, null, 35.0, 3.24, 43.0, 101.8, null),
                new DeviceReport(1, "u1", "acme-tpx1", "ACME TPX-1", 96, false, "link down", null, null, 55.0, null, null)));
        String text = metrics.scrape();
        assertThat(text).contains("tessera_device_utilization_percent{chip_type=\"ascend-910b3\",device=\"0\",node=\"n1\",vendor=\"huawei\"} 35.0")
                .contains("tessera_device_temperature_celsius{chip_type=\"acme-tpx1\",device=\"1\",node=\"n1\",vendor=\"acme\"} 55.0")
                .contains("tessera_device_power_watts{chip_type=\"ascend-910b3\",device=\"0\",node=\"n1\",vendor=\"huawei\"} 101.8")
                .contains("tessera_device_healthy{chip_type=\"acme-tpx1\",device=\"1\",node=\"n1\",vendor=\"acme\"} 0.0")
                .doesNotContain("tessera_device_power_watts{chip_type=\"acme-tpx1\"");
        metrics.devices(List.of());
        assertThat(metrics.scrape()).doesNotContain("tessera_device_healthy{");
    }

    @Test
    void workerExitsCountByCode() {
        metrics.workerExit(0);
        metrics.workerExit(3);
        metrics.workerExit(3);
        assertThat(metrics.scrape()).contains("tessera_worker_exits_total{exit_code=\"3\",node=\"n1\"} 2.0")
                .contains("tessera_worker_exits_total{exit_code=\"0\",node=\"n1\"} 1.0");
    }
}
