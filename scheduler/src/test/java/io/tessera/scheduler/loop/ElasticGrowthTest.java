package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.sim.VirtualClock;

import io.tessera.scheduler.leader.Term;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ElasticConfig;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.IdentityHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Growing a running elastic job onto returned capacity, on a real Hazelcast store: only at the
 * next checkpoint boundary, only when worth it, never ahead of a queued job, never under a stale term.
 */
class ElasticGrowthTest {
    private static final String ELASTIC = "name: e\ncommand: [w]\nshards: {min: 1, max: 4}\nmodel: {parameters: 125M, "
            + "tokensPerSample: 512}\nglobalBatch: 256\n";
    private HazelcastInstance hz;
    private HazelcastClusterStore store;
    private final ChipCatalog catalog = ChipCatalog.builtIn();
    private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-21T10:00:00Z"));
    private Term term;

    @BeforeEach
    void start() {
        hz = HazelcastMember.start(SchedulerConfig.defaults().withEndpoint(0, "grow-" + UUID.randomUUID()).withDataDir("none"));
        store = new HazelcastClusterStore(hz);
        term = new Term("m", store.claimLeadership("m").epoch(), 0);
    }

    @AfterEach
    void stop() {
        hz.shutdown();
    }

    private void node(String name, int devices) {
        node(name, devices, "nvidia-h20");
    }

    private void node(String name, int devices, String chip) {
        List<DeviceReport> list = IntStream.range(0, devices)
                .mapToObj(i -> DeviceReport.basic(i, name + "-" + i, chip, chip, 96, true, null)).toList();
        store.updateNode(name, o -> new NodeRecord(name, "a", Map.of(), list, NodeState.READY, "t", clock.millis(), false));
    }

    private JobSpec spec(String yaml) {
        return new JobSpecParser(catalog).parse(yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    /** Places {@code id} on what is free now and marks it RUNNING. */
    private void running(String id, String yaml, int priority) {
        store.insertJob(JobRecord.submitted(id, store.nextSequence(), spec(yaml + "priority: " + priority + "\n"),
                "alice", clock.instant().toString()));
        JobRecord job = store.job(id).orElseThrow();
        Plan plan = (Plan) new PlacementEngine().place(SnapshotBuilder.build(catalog, store.nodes(), store.allAssignments()),
                id, job.spec(), PlacementPolicy.DEFAULT);
        assertThat(new PlanApplier(store, catalog).commit(id, 1, plan, "t", term)).isInstanceOf(PlanApplier.Committed.class);
        store.updateJob(id, j -> j.withState(JobState.RUNNING));
    }

    private void checkpointed(String id, long step) {
        JobRecord job = store.job(id).orElseThrow();
        List<ShardReport> reports = new ArrayList<>();
        for (int s = 0; s < job.placement().shards().size(); s++) {
            reports.add(new ShardReport(id, s, job.attempt(), ShardPhase.RUNNING, null, 10L + s, step + 1, 100L, null, null,
                    s == 0 ? step : null));
        }
        store.recordShardReports(reports);
    }

    private ElasticGrowth growth(double minGain) {
        return growth(new ElasticConfig(minGain, 1000L));
    }

    private ElasticGrowth growth(ElasticConfig config) {
        ClusterView view = new ClusterView(store, catalog);
        ElasticGrowth g = new ElasticGrowth(store, view, new PlacementEngine(), PlacementPolicy.DEFAULT, clock, config,
                new CycleMemory(view, clock));
        views.put(g, view);
        return g;
    }

    /** The view each growth stage reads; the loop refreshes it before the stage, as {@link #pass} does. */
    private final Map<ElasticGrowth, ClusterView> views = new IdentityHashMap<>();

    private static final String FIXED = "name: f\ncommand: [w]\nshards: 1\ndevicesPerShard: 2\nmodel: {parameters: 125M, "
            + "tokensPerSample: 512}\nglobalBatch: 256\n";

    @Test
    void aNonElasticJobMigratesToFasterChipsAtItsNextCheckpointKeepingItsShardCount() {
        node("slow", 2, "nvidia-h20");
        running("job-f", FIXED, 0);
        assertThat(store.job("job-f").orElseThrow().placement().shards().get(0).chipType()).isEqualTo("nvidia-h20");
        checkpointed("job-f", 10);
        node("fast", 2, "ascend-910b"); // about 1.85 times the H20's effective TFLOPS: past the 0.5 default
        ElasticGrowth g = growth(0.1);
        pass(g);
        pass(g);
        assertThat(store.job("job-f").orElseThrow().attempt()).as("waits for the next checkpoint").isEqualTo(1);
        checkpointed("job-f", 12);
        pass(g);
        JobRecord moved = store.job("job-f").orElseThrow();
        assertThat(moved.attempt()).isEqualTo(2);
        assertThat(moved.restarts()).isZero();
        assertThat(moved.placement().shards()).hasSize(1).allMatch(s -> s.chipType().equals("ascend-910b"));
        assertThat(moved.events().stream().filter(e -> e.type() == EventType.MIGRATING).findFirst().orElseThrow().message())
                .contains("faster chips are free", "ascend-910b", "checkpoint at step 12");
        assertThat(store.assignments("slow").shards()).isEmpty();
    }

    @Test
    void migrationCanBeSwitchedOffAndNeedsItsGain() {
        node("slow", 2, "nvidia-h20");
        running("job-f", FIXED, 0);
        checkpointed("job-f", 10);
        node("fast", 2, "ascend-910b");
        ElasticGrowth off = growth(new ElasticConfig(0.1, 1000L, 0.0));
        ElasticGrowth demanding = growth(new ElasticConfig(0.1, 1000L, 1.0)); // asks for twice as fast: 1.85 is not
        for (long step = 11; step < 15; step++) {
            pass(off);
            pass(demanding);
            checkpointed("job-f", step);
        }
        assertThat(store.job("job-f").orElseThrow().attempt()).isEqualTo(1);
    }

    private void pass(ElasticGrowth g) {
        clock.advance(Duration.ofSeconds(2)); // past the check interval
        views.get(g).refresh();
        g.growWhereWorthIt().commit(new PlanApplier(store, catalog), term, clock.instant().toString());
    }

    @Test
    void growsOnlyAtTheNextCheckpointAndWithoutSpendingARestart() {
        node("n1", 2);
        running("job-e", ELASTIC, 0);
        assertThat(store.job("job-e").orElseThrow().placement().shards()).hasSize(2);
        checkpointed("job-e", 10);
        node("n2", 2); // capacity returns
        ElasticGrowth g = growth(0.1);
        pass(g);
        pass(g);
        assertThat(store.job("job-e").orElseThrow().attempt()).as("waits for the next checkpoint").isEqualTo(1);

        checkpointed("job-e", 12);
        pass(g);
        JobRecord grown = store.job("job-e").orElseThrow();
        assertThat(grown.attempt()).isEqualTo(2);
        assertThat(grown.restarts()).isZero();
        assertThat(grown.state()).isEqualTo(JobState.PLACED);
        assertThat(grown.placement().shards()).hasSize(4);
        assertThat(grown.events().stream().map(JobEvent::type)).contains(EventType.GROWING, EventType.GREW);
        assertThat(grown.events().stream().filter(e -> e.type() == EventType.GROWING).findFirst().orElseThrow().message())
                .contains("checkpoint at step 12");
        List<ShardAssignment> assigned = new ArrayList<>(store.assignments("n1").shards());
        assigned.addAll(store.assignments("n2").shards());
        assertThat(assigned).hasSize(4).allSatisfy(a -> assertThat(a.attempt()).isEqualTo(2));
    }

    @Test
    void doesNotGrowForTooSmallAGain() {
        node("n1", 2);
        running("job-e", ELASTIC, 0);
        checkpointed("job-e", 10);
        node("n2", 2);
        ElasticGrowth g = growth(5.0); // asks for +500%
        pass(g);
        checkpointed("job-e", 12);
        pass(g);
        assertThat(store.job("job-e").orElseThrow().attempt()).isEqualTo(1);
    }

    @Test
    void aQueuedJobOfEqualPriorityComesFirst() {
        node("n1", 2);
        running("job-e", ELASTIC, 0);
        checkpointed("job-e", 10);
        store.insertJob(new JobRecord(
                new JobRecord.Identity("job-q", store.nextSequence(), "bob", clock.instant().toString()),
                spec("name: q\ncommand: [w]\nshards: 8\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n"),
                new JobRecord.Lifecycle(JobState.QUEUED, false, 1, 0, 0),
                null, List.of(), null, List.of()));
        node("n2", 2);
        ElasticGrowth g = growth(0.1);
        pass(g);
        checkpointed("job-e", 12);
        pass(g);
        assertThat(store.job("job-e").orElseThrow().attempt()).isEqualTo(1);
        assertThat(store.assignments("n2").shards()).isEmpty();
    }

    @Test
    void aDeposedLeaderCannotGrowAJob() {
        node("n1", 2);
        running("job-e", ELASTIC, 0);
        checkpointed("job-e", 10);
        node("n2", 2);
        ElasticGrowth g = growth(0.1);
        pass(g);
        store.claimLeadership("another-member");
        checkpointed("job-e", 12);
        pass(g);
        assertThat(store.job("job-e").orElseThrow().attempt()).isEqualTo(1);
        assertThat(store.assignments("n2").shards()).isEmpty();
    }
}
