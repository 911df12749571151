package io.tessera.scheduler.health;

import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import java.util.UUID;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The monitor's verdicts: ready with a live member, and after an OutOfMemoryError neither ready nor alive, and exiting. */
class HealthMonitorTest {
    @Test
    void anOutOfMemoryErrorMakesTheMemberFailAndExit() {
        SchedulerConfig config = ConfigLoader.bind(Documents.json().createObjectNode()
                .put("clusterName", "health-" + UUID.randomUUID()).put("dataDir", "none"), SchedulerConfig.class);
        HazelcastInstance hz = HazelcastMember.start(config);
        List<Integer> exits = new ArrayList<>();
        try (HealthMonitor m = new HealthMonitor(Optional.empty(), hz, 3, exits::add)) {
            m.check();
            assertThat(m.ready()).isTrue();
            assertThat(m.alive()).isTrue();
            assertThat(m.readiness()).containsEntry("status", "ok").containsKey("hazelcast");
            m.outOfMemory(new OutOfMemoryError("Java heap space"));
            assertThat(m.alive()).isFalse();
            assertThat(m.ready()).isFalse();
            assertThat(m.readiness().get("memory")).contains("out of memory");
            assertThat(exits).containsExactly(HealthMonitor.EXIT_STATUS);
        } finally {
            hz.shutdown();
        }
    }
}
