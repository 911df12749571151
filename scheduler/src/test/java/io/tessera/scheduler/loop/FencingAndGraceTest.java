package io.tessera.scheduler.loop;

import io.tessera.scheduler.state.LeaderClaims;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.sim.VirtualClock;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.events.SchedulerEvents;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A deposed leader's late commit is refused; a new leader gives agents a timeout before declaring nodes lost. */
class FencingAndGraceTest {
    private HazelcastInstance hz;
    private HazelcastClusterStore store;
    private final ChipCatalog catalog = ChipCatalog.builtIn();

    @BeforeEach
    void start() {
        hz = HazelcastMember.start(SchedulerConfig.defaults().withEndpoint(0, "fence-" + UUID.randomUUID()).withDataDir("none"));
        store = new HazelcastClusterStore(hz);
    }

    @AfterEach
    void stop() {
        hz.shutdown();
    }

    private void node(long lastHeartbeatMs) {
        List<DeviceReport> devices = List.of(DeviceReport.basic(0, "u", "nvidia-h20", "NVIDIA H20", 96, true, null));
        store.updateNode("n1", o -> new NodeRecord("n1", "a", Map.of(), devices, NodeState.READY, "t", lastHeartbeatMs, false));
    }

    @Test
    void aDeposedLeadersCommitIsRefused() {
        node(0);
        var spec = new JobSpecParser(catalog).parse(("name: f\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 4\n").getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.insertJob(JobRecord.submitted("job-f", 1, spec,
                "alice", "t"));
        ClusterSnapshot snapshot = SnapshotBuilder.build(catalog, store.nodes(), store.allAssignments());
        Plan plan = (Plan) new PlacementEngine().place(snapshot, "job-f", spec, PlacementPolicy.DEFAULT);
        PlanApplier applier = new PlanApplier(store, catalog);

        LeaderClaims.LeaderClaim old = store.claimLeadership("member-a");
        LeaderClaims.LeaderClaim current = store.claimLeadership("member-b");
        assertThat(current.epoch()).isEqualTo(old.epoch() + 1);

        var late = applier.commit("job-f", 1, plan, "t", new Term("member-a", old.epoch(), 0));
        assertThat(late).isInstanceOfSatisfying(PlanApplier.Conflict.class, c -> assertThat(c.reason()).contains("fenced"));
        assertThat(store.job("job-f").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.assignments("n1").shards()).isEmpty();

        var ok = applier.commit("job-f", 1, plan, "t", new Term("member-b", current.epoch(), 0));
        assertThat(ok).isInstanceOf(PlanApplier.Committed.class);
        assertThat(store.assignments("n1").shards()).hasSize(1);
    }

    @Test
    void aNewLeaderWaitsOneTimeoutBeforeDeclaringNodesLost() {
        VirtualClock clock = new VirtualClock(Instant.parse("2026-11-21T10:00:00Z"));
        node(clock.instant().minus(Duration.ofMinutes(5)).toEpochMilli()); // silent while the schedulers were down
        ClusterView view = new ClusterView(store, ChipCatalog.builtIn());
        NodeLivenessSweep sweep = new NodeLivenessSweep(store, view, clock, 15_000, SchedulerEvents.NONE);
        CycleMemory memory = new CycleMemory(view, clock);
        Term term = new Term("m", store.claimLeadership("m").epoch(), clock.millis());
        PlanApplier applier = new PlanApplier(store, catalog);
        assertThat(sweep.sweep(term, memory).changes()).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(sweep.sweep(term, memory).changes()).isEmpty();
        clock.advance(Duration.ofSeconds(6));
        view.refresh();
        StageDecision lost = sweep.sweep(term, memory);
        assertThat(lost.changes()).containsExactly(new Change.NodeLost("n1", clock.millis() - 15_001));
        assertThat(StageDecision.committed(lost.commit(applier, term, clock.instant().toString()))).isEqualTo(1);
        assertThat(store.node("n1").orElseThrow().state()).isEqualTo(NodeState.LOST);
    }
}
