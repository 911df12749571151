package io.tessera.bench;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.PreemptionConfig;
import io.tessera.config.Precision;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.loop.CycleMemory;
import io.tessera.scheduler.loop.CycleState;
import io.tessera.scheduler.loop.Preemptor;
import io.tessera.scheduler.loop.StageDecision;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One preemption decision at fleet scale: 10,000 nodes of 8 devices (7 chip types), every device
 * held by one of 10,000 running single-node jobs of priority 0 (each with a seeded step, checkpoint
 * and checkpoint write time in its shard report), and one waiting job of priority 10 that needs 8
 * whole nodes. Timed: {@link Preemptor#preempt(CycleState)} on the cycle state built in setup,
 * which ranks every running job, tries the cheapest 64 as victims (a placement each on the fleet
 * with them gone) and returns the evictions; nothing is committed, so each call decides afresh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PreemptionBench {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    /** The victim order: cost (accelerator-seconds lost) or priority-size-start. */
    @Param({"cost", "priority-size-start"})
    public String order;

    private Preemptor preemptor;
    private CycleState state;

    @Setup
    public void setup() {
        InMemoryClusterStore store = new InMemoryClusterStore();
        Clock clock = Clock.fixed(T0.plusSeconds(7200), ZoneOffset.UTC);
        JobSpecParser parser = new JobSpecParser(Fleets.CATALOG);
        JobSpec running = spec(parser, 0, 1);
        Random random = new Random(11);
        List<ShardReport> reports = new ArrayList<>();
        PlanApplier applier = new PlanApplier(store, Fleets.CATALOG);
        Term term = new Term("bench", store.claimLeadership("bench").epoch(), clock.millis());
        for (int i = 0; i < 10_000; i++) {
            String node = String.format("node-%05d", i);
            String chip = Fleets.CHIPS.get(i % Fleets.CHIPS.size());
            ChipType type = Fleets.CATALOG.byId(chip).orElseThrow();
            List<DeviceReport> devices = IntStream.range(0, 8).mapToObj(d -> DeviceReport.basic(d, node + "-" + d, chip,
                    chip, type.hbmGiB(), true, null)).toList();
            store.updateNode(node, old -> new NodeRecord(node, "10.0." + (node.hashCode() & 0xff) + ".1",
                    Map.of("zone", "z" + (node.hashCode() % 10)), devices, NodeState.READY, T0.toString(),
                    clock.millis(), false));
            String id = String.format("job-r%05d", i);
            ShardPlan shard = new ShardPlan(0, node, "10.0.0.1", chip, type.vendor(), List.of(0, 1, 2, 3, 4, 5, 6, 7),
                    Precision.BF16, 8, 1, 100);
            store.insertJob(new JobRecord(new JobRecord.Identity(id, i, "u" + (i % 50), T0.toString()), running,
                    new JobRecord.Lifecycle(JobState.QUEUED, false, 0, 0, 0), null, List.of(), null, List.of()));
            Plan plan = new Plan(Precision.BF16, List.of(shard), 100, 1.0, 0, Map.of(type.vendor(), 1.0), List.of());
            if (!(applier.commit(term, T0.plusSeconds(random.nextInt(7200)).toString(),
                    List.of(new Change.Place(id, 0, plan))).get(0) instanceof PlanApplier.Committed)) {
                throw new IllegalStateException("could not place " + id);
            }
            int attempt = store.job(id).orElseThrow().attempt();
            long step = 600 + random.nextInt(6000);
            reports.add(new ShardReport(id, 0, attempt, ShardPhase.RUNNING, null, 1L, null, null, new ShardReport.Progress(
                    step, 100_000L, null, step - random.nextInt(600), null, null, (double) random.nextInt(120))));
        }
        store.recordShardReports(reports);
        store.insertJob(new JobRecord(new JobRecord.Identity("job-waiting", 10_001, "w", T0.toString()),
                spec(parser, 10, 8), new JobRecord.Lifecycle(JobState.QUEUED, false, 0, 0, 0), null, List.of(), null,
                List.of()));
        ClusterView view = new ClusterView(store, Fleets.CATALOG);
        preemptor = new Preemptor(store, view, new PlacementEngine(), PlacementPolicy.DEFAULT, clock,
                SchedulerEvents.NONE, new CycleMemory(view, clock)).withConfig(new PreemptionConfig(order, 60.0));
        view.refresh();
        state = CycleState.of(view);
        if (preemptor.preempt(state).changes().isEmpty()) {
            throw new IllegalStateException("the scene asks for no preemption: the benchmark would time nothing");
        }
    }

    private static JobSpec spec(JobSpecParser parser, int priority, int shards) {
        String yaml = "name: bench\ncommand: [train]\npriority: " + priority + "\nshards: " + shards
                + "\ndevicesPerShard: 8\nmodel: {parameters: 7B, tokensPerSample: 4096}\nglobalBatch: 4096\n"
                + "precisions: [bf16]\n";
        return parser.parse(yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    @Benchmark
    public StageDecision decide() {
        return preemptor.preempt(state);
    }
}
