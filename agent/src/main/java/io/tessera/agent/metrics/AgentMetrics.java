package io.tessera.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.wire.DeviceReport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The agent's Prometheus metrics: per-device utilisation, memory, temperature, power and health
 * (labelled with node, device, chip type and vendor, so every vendor's devices appear alike),
 * worker exits by exit code, and heartbeats. Thread-safe.
 */
public final class AgentMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String node;
    private final ChipCatalog catalog;
    private final MultiGauge utilization;
    private final MultiGauge memoryUsed;
    private final MultiGauge memoryTotal;
    private final MultiGauge temperature;
    private final MultiGauge power;
    private final MultiGauge healthy;
    private final Counter heartbeatsSent;
    private final Counter heartbeatFailures;

    public AgentMetrics(String node, ChipCatalog catalog) {
        this.node = node;
        this.catalog = catalog;
        registry.config().meterFilter(new PromtoolClean());
        List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
                new UptimeMetrics()).forEach(b -> b.bindTo(registry));
        utilization = gauge("tessera.device.utilization", "percent", "Device busy percentage");
        memoryUsed = gauge("tessera.device.memory.used", "bytes", "Device memory in use");
        memoryTotal = gauge("tessera.device.memory.total", "bytes", "Device memory");
        temperature = gauge("tessera.device.temperature", "celsius", "Device temperature");
        power = gauge("tessera.device.power", "watts", "Device power draw");
        healthy = MultiGauge.builder("tessera.device.healthy").description("1 when the device is healthy")
                .register(registry);
        heartbeatsSent = Counter.builder("tessera.agent.heartbeats.sent").tag("node", node)
                .description("Heartbeats the scheduler took").register(registry);
        heartbeatFailures = Counter.builder("tessera.agent.heartbeat.failures").tag("node", node)
                .description("Heartbeats the scheduler did not take").register(registry);
    }

    private MultiGauge gauge(String name, String unit, String help) {
        return MultiGauge.builder(name).baseUnit(unit).description(help).register(registry);
    }

    /** Replaces the device gauges with the latest inventory; unknown measurements are left out. */
    public void devices(List<DeviceReport> devices) {
        utilization.register(rows(devices, DeviceReport::utilizationPercent), true);
        memoryUsed.register(rows(devices, d -> d.memoryUsedGiB() == null ? null : d.memoryUsedGiB() * (1L << 30)), true);
        memoryTotal.register(rows(devices, d -> d.memoryGiB() * (1L << 30)), true);
        temperature.register(rows(devices, DeviceReport::temperatureC), true);
        power.register(rows(devices, DeviceReport::powerW), true);
        healthy.register(rows(devices, d -> d.healthy() ? 1.0 : 0.0), true);
    }

    private List<MultiGauge.Row<?>> rows(List<DeviceReport> devices, Function<DeviceReport, Double> value) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        for (DeviceReport d : devices) {
            Double v = value.apply(d);
            if (v != null) {
                String vendor = catalog.byId(d.chipType()).map(ChipType::vendor).orElse("unknown");
                out.add(MultiGauge.Row.of(Tags.of("node", node, "device", Integer.toString(d.index()),
                        "chip_type", d.chipType(), "vendor", vendor), v));
            }
        }
        return out;
    }

    /** A worker process ended with {@code code}. */
    public void workerExit(int code) {
        Counter.builder("tessera.worker.exits").tag("node", node).tag("exit_code", Integer.toString(code))
                .description("Worker processes that ended, by exit code").register(registry).increment();
    }

    public void heartbeat(boolean ok) {
        (ok ? heartbeatsSent : heartbeatFailures).increment();
    }

    public String scrape() {
        return registry.scrape();
    }
}
