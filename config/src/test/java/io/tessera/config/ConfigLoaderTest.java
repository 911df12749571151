package io.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Test
    void emptySchedulerConfigGivesDefaults() {
        SchedulerConfig cfg = ConfigLoader.load(Optional.empty(), SchedulerConfig.class);
        assertThat(cfg.httpPort()).isEqualTo(8080);
        assertThat(cfg.heartbeatTimeoutMs()).isEqualTo(15_000);
        assertThat(cfg.members()).isEmpty();
    }

    @Test
    void agentConfigBindsAndValidates(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, """
                schedulerUrl: http://sched:8080/
                node: gpu-17
                labels: {rack: r3}
                devices: {source: simulated, chipType: nvidia-h20, count: 8}
                """);
        AgentConfig cfg = ConfigLoader.load(Optional.of(f), AgentConfig.class);
        assertThat(cfg.schedulerUrl()).isEqualTo("http://sched:8080");
        assertThat(cfg.devices().get(0).count()).isEqualTo(8);
        assertThat(cfg.labels()).containsEntry("rack", "r3");
    }

    @Test
    void theShippedExampleConfigsLoad() {
        SchedulerConfig s = ConfigLoader.load(Optional.of(Path.of("../examples/config/scheduler.yaml")),
                SchedulerConfig.class);
        assertThat(s.network().crossVendorGBsPerDevice()).isEqualTo(12.5);
        assertThat(s.memoryHeadroom()).isEqualTo(0.10);
        assertThat(s.queues()).extracting(QueueSpec::name).containsExactly("default", "ml");
        assertThat(s.queues().get(1).quota().tflops()).isEqualTo(2000.0);
        assertThat(s.queues().get(1).quota().devices()).containsEntry("nvidia", 32);
        assertThat(s.queues().get(0).weight()).isEqualTo(1.0);
        assertThat(s.preemption().order()).isEqualTo(PreemptionConfig.VictimOrder.COST);
        assertThat(s.preemption().restartCostSec()).isEqualTo(60.0);
        assertThat(s.preemption().maxRestartCostSec()).isEqualTo(600.0);
        AgentConfig a = ConfigLoader.load(Optional.of(Path.of("../examples/config/agent.yaml")), AgentConfig.class);
        assertThat(a.devices()).extracting(AgentConfig.DeviceSource::source).containsExactly("nvidia");
    }

    @Test
    void typosAndMissingFieldsAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, "node: n1\nheartbeatIntervalMillis: 5\ndevices: {chipType: nvidia-h20}\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), AgentConfig.class))
                .isInstanceOf(ValidationException.class).hasMessageContaining("heartbeatIntervalMillis");
        Files.writeString(f, "node: n1\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), AgentConfig.class))
                .isInstanceOf(ValidationException.class).hasMessageContaining("devices");
    }
}
