package io.tessera.scheduler.state;

import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.model.EventType;
import java.util.Optional;
import java.util.function.Predicate;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.policy.QueueOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The leader's incremental view equals a full rebuild from the store after 10,000 random
 * operations (nodes registering, turning sick, drained, lost and back; jobs submitted, placed,
 * cancelled, finished and released, moved to the history; shard reports), checked at random
 * points and at the end: the snapshot (nodes, per-chip index, most free, fingerprint), the
 * queue in order, the LOST nodes and the hot jobs. In-memory store, seeded.
 */
class ClusterViewTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final List<String> CHIPS = List.of("nvidia-h20", "ascend-910b", "acme-tpx1");
    private final Random random = new Random(20261201);
    private final ClusterStore store = new InMemoryClusterStore();
    private final PlanApplier applier = new PlanApplier(store, CATALOG);
    private final ClusterView view = new ClusterView(store, CATALOG);
    private Term term;
    private int jobs;

    @Test
    void theIncrementalViewEqualsAFullRebuildAfterTenThousandRandomOperations() {
        term = new Term("me", store.claimLeadership("me").epoch(), 0);
        for (int n = 0; n < 30; n++) {
            node("node-" + n);
        }
        view.rebuild();
        int checks = 0;
        int placed = 0;
        for (int op = 0; op < 10_000; op++) {
            placed += step(random.nextInt(100)) ? 1 : 0;
            if (random.nextInt(50) == 0) {
                view.refresh();
                assertEqualsRebuild();
                checks++;
            }
        }
        view.refresh();
        assertEqualsRebuild();
        assertThat(checks).isGreaterThan(100);
        assertThat(placed).as("enough commits to mean something").isGreaterThan(500);
    }

    /** One random operation; true when it committed a plan. */
    private boolean step(int dice) {
        if (dice < 15) {
            node("node-" + random.nextInt(40));
        } else if (dice < 20) {
            String name = "node-" + random.nextInt(40);
            store.updateNode(name, old -> old.map(n -> n.withState(random.nextBoolean() ? NodeState.LOST : NodeState.READY))
                    .orElse(null));
        } else if (dice < 23) {
            String name = "node-" + random.nextInt(40);
            store.updateNode(name, old -> old.map(n -> n.withDrained(!n.drained())).orElse(null));
        } else if (dice < 45) {
            submit();
        } else if (dice < 75) {
            return place();
        } else if (dice < 85) {
            finishOne();
        } else if (dice < 90) {
            pick(j -> j.state() == JobState.QUEUED).ifPresent(j -> store.updateJob(j.id(), JobRecord::withCancelRequested));
        } else if (dice < 95) {
            pick(j -> j.state().terminal()).ifPresent(j -> store.deleteJob(j.id()));
        } else {
            pick(j -> j.placement() != null).ifPresent(j -> store.recordShardReports(List.of(new ShardReport(j.id(), 0,
                    j.attempt(), ShardPhase.RUNNING, null, 1L, (long) random.nextInt(1000), 10L, null, null, null))));
        }
        return false;
    }

    private boolean place() {
        List<JobRecord> queued = view.queued();
        if (queued.isEmpty()) {
            return false;
        }
        JobRecord job = queued.get(random.nextInt(queued.size()));
        PlacementResult r = new PlacementEngine().place(view.snapshot(), job.id(), job.spec(), PlacementPolicy.DEFAULT);
        if (r instanceof PlacementResult.Plan plan
                && applier.commit(job.id(), job.attempt(), plan, "t", term) instanceof PlanApplier.Committed) {
            view.committed(job.id(), plan);
            return true;
        }
        return false;
    }

    private void finishOne() {
        pick(j -> j.state() == JobState.PLACED).ifPresent(j -> {
            applier.commit(term, "t", List.of(new Change.Transition(j, j.withState(JobState.SUCCEEDED), true, false)));
        });
    }

    private Optional<JobRecord> pick(Predicate<JobRecord> which) {
        List<JobRecord> some = store.jobs().stream().filter(which).sorted(QueueOrder.FIRST_TO_PLACE).toList();
        return some.isEmpty() ? Optional.empty() : Optional.of(some.get(random.nextInt(some.size())));
    }

    private void node(String name) {
        List<DeviceReport> devices = new ArrayList<>();
        String chip = CHIPS.get(Math.abs(name.hashCode()) % CHIPS.size());
        for (int d = 0; d < 8; d++) {
            devices.add(DeviceReport.basic(d, name + "-" + d, chip, "x", 96, random.nextInt(12) > 0, null));
        }
        store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of("zone", "z" + random.nextInt(3)), devices,
                old.map(NodeRecord::state).orElse(NodeState.READY), "t", 1, old.map(NodeRecord::drained).orElse(false)));
    }

    private void submit() {
        String id = "job-" + jobs++;
        int shards = 1 + random.nextInt(4);
        JobSpec spec = new JobSpecParser(CATALOG).parse(("name: r\nqueue: q" + random.nextInt(3) + "\npriority: "
                + random.nextInt(3) + "\ncommand: [w]\nshards: " + shards + "\ndevicesPerShard: " + (1 + random.nextInt(4))
                + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: " + (shards * 4) + "\n")
                .getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.insertJob(JobRecord.submitted(id, jobs, spec,
                "alice", "2026-01-01T00:00:00Z"));
    }

    private void assertEqualsRebuild() {
        ClusterSnapshot rebuilt = SnapshotBuilder.build(CATALOG, store.nodes(), store.allAssignments());
        ClusterSnapshot mine = view.snapshot();
        assertThat(mine.nodes()).isEqualTo(rebuilt.nodes());
        assertThat(mine.fingerprint()).isEqualTo(rebuilt.fingerprint());
        assertThat(mine.chipTypes()).isEqualTo(rebuilt.chipTypes());
        for (String chip : CHIPS) {
            assertThat(mine.nodesWith(chip)).isEqualTo(rebuilt.nodesWith(chip));
            assertThat(mine.maxFree(chip)).isEqualTo(rebuilt.maxFree(chip));
        }
        List<JobRecord> queued = store.jobs().stream().filter(j -> j.state() == JobState.QUEUED && !j.cancelRequested())
                .sorted(QueueOrder.FIRST_TO_PLACE).toList();
        assertThat(view.queued()).isEqualTo(queued);
        for (String q : List.of("q0", "q1", "q2")) {
            assertThat(view.queued(q)).isEqualTo(queued.stream().filter(j -> j.spec().queue().equals(q)).toList());
        }
        Set<String> lost = store.nodes().stream().filter(n -> n.state() == NodeState.LOST).map(NodeRecord::name)
                .collect(Collectors.toSet());
        assertThat(view.lostNodes()).isEqualTo(lost);
        assertThat(Set.copyOf(view.jobs())).isEqualTo(Set.copyOf(store.jobs()));
    }
}
