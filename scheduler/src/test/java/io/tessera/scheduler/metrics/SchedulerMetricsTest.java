package io.tessera.scheduler.metrics;

import io.tessera.scheduler.state.ClusterView;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each domain metric follows the state it reports; state lives in a real Hazelcast member. */
class SchedulerMetricsTest {
    private HazelcastInstance hz;
    private HazelcastClusterStore store;
    private final SchedulerMetrics metrics = new SchedulerMetrics();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void start() {
        hz = HazelcastMember.start(SchedulerConfig.defaults().withEndpoint(0, "metrics-" + UUID.randomUUID()));
        store = new HazelcastClusterStore(hz);
    }

    @AfterEach
    void stop() {
        hz.shutdown();
    }

    private void node(String name, boolean device3Healthy, long lastHeartbeatMs) {
        List<DeviceReport> devices = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            devices.add(DeviceReport.basic(i, "u" + i, "nvidia-h20", "NVIDIA H20", 96, i != 3 || device3Healthy,
                    i == 3 && !device3Healthy ? "2 uncorrected ECC errors" : null));
        }
        store.updateNode(name, old -> new NodeRecord(name, "a", Map.of(), devices, NodeState.READY, "t", lastHeartbeatMs, false));
    }

    private String scrape() {
        metrics.refresh(new FleetStatsCollector(store, new ClusterView(store, ChipCatalog.builtIn()), ChipCatalog.builtIn(), clock).collect());
        return metrics.scrape();
    }

    @Test
    void aDeviceTurningUnhealthyMovesFromFreeToUnhealthy() {
        node("n1", true, clock.millis() - 1500);
        assertThat(scrape()).contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"free\",vendor=\"nvidia\"} 4.0")
                .contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"unhealthy\",vendor=\"nvidia\"} 0.0")
                .contains("tessera_node_heartbeat_age_seconds{node=\"n1\"} 1.5");
        node("n1", false, clock.millis());
        assertThat(scrape()).contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"free\",vendor=\"nvidia\"} 3.0")
                .contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"unhealthy\",vendor=\"nvidia\"} 1.0");
    }

    @Test
    void aFullyAllocatedChipTypeReadsZeroFreeRatherThanVanishing() {
        node("n1", true, clock.millis());
        JobSpec spec = new JobSpecParser(ChipCatalog.builtIn()).parse(("name: all\ncommand: [w]\nshards: 4\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 16\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml");
        store.insertJob(new JobRecord(new JobRecord.Identity("job-all", 1, "alice", clock.instant().toString()),
                spec,
                new JobRecord.Lifecycle(JobState.QUEUED, false, 1, 0, 0),
                null, List.of(), null, List.of()));
        Plan plan = (Plan) new PlacementEngine().place(SnapshotBuilder.build(ChipCatalog.builtIn(), store.nodes(),
                store.allAssignments()), "job-all", spec, PlacementPolicy.DEFAULT);
        Term term = new Term("m", store.claimLeadership("m").epoch(), 0);
        assertThat(new PlanApplier(store, ChipCatalog.builtIn()).commit("job-all", 1, plan, clock.instant().toString(), term))
                .isInstanceOf(PlanApplier.Committed.class);
        assertThat(scrape()).as("regression: the free series disappeared at full allocation")
                .contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"free\",vendor=\"nvidia\"} 0.0")
                .contains("tessera_devices{chip_type=\"nvidia-h20\",state=\"allocated\",vendor=\"nvidia\"} 4.0");
    }

    @Test
    void placementsRecordLatencyOutcomesAndVetoes() {
        String before = metrics.scrape();
        assertThat(before).contains("tessera_placement_duration_seconds_count 0")
                .contains("tessera_placement_outcomes_total{outcome=\"placed\"} 0.0");
        metrics.placement(2_500_000, "placed", List.of());
        metrics.placement(1_000_000, "unschedulable", List.of("memory", "memory", "precision"));
        String after = metrics.scrape();
        assertThat(after).contains("tessera_placement_duration_seconds_count 2")
                .contains("tessera_placement_duration_seconds_sum 0.0035")
                .contains("tessera_placement_outcomes_total{outcome=\"placed\"} 1.0")
                .contains("tessera_placement_outcomes_total{outcome=\"unschedulable\"} 1.0")
                .contains("tessera_placement_vetoes_total{reason=\"memory\"} 2.0")
                .contains("tessera_placement_vetoes_total{reason=\"precision\"} 1.0")
                .contains("tessera_placement_duration_seconds_bucket{le=");
    }

    @Test
    void heartbeatsNodesLostAndQueueWaitCount() {
        metrics.heartbeat();
        metrics.heartbeat();
        metrics.nodeLost();
        metrics.queueWait(12.5);
        assertThat(metrics.scrape()).contains("tessera_heartbeats_received_total 2.0")
                .contains("tessera_nodes_lost_total 1.0").contains("tessera_queue_wait_seconds_sum 12.5");
    }

    @Test
    void jobsByStateIncludeEveryStateAndTheQueue() {
        String text = scrape();
        assertThat(text).contains("tessera_jobs{state=\"QUEUED\"} 0.0").contains("tessera_jobs{state=\"RUNNING\"} 0.0")
                .contains("tessera_queue_length 0.0").contains("jvm_memory_used_bytes");
    }
}
