package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.wire.AssignmentSet;
import org.assertj.core.data.Offset;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.config.QueueSpec.Quota;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.PlanApplier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The queue pass with queues on an in-memory store and a mixed fleet (H20 and Ascend 910B nodes):
 * two flooded queues get their weighted shares of normalized compute, a quota is never exceeded
 * and the waiting job says which quota binds, and a queue borrows its cohort's unused quota.
 */
class TenancyPlacementTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private int seq;

    private void fleet(int nodesPerType) {
        for (String chip : List.of("nvidia-h20", "ascend-910b")) {
            for (int n = 0; n < nodesPerType; n++) {
                String name = chip + "-" + n;
                List<DeviceReport> d = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    d.add(DeviceReport.basic(i, name + i, chip, chip, 64, true, null));
                }
                store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of(), d, NodeState.READY, "t", 1, false));
            }
        }
    }

    private void submit(String queue, String owner, int count) {
        for (int i = 0; i < count; i++) {
            seq++;
            store.insertJob(JobRecord.submitted(
                    "job-" + seq, seq, new JobSpecParser(CATALOG).parse(("name: j\nqueue: " + queue
                    + "\ncommand: [w]\nshards: 1\ndevicesPerShard: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\n"
                    + "globalBatch: 8\n").getBytes(StandardCharsets.UTF_8), "application/yaml"),
                    owner, "2026-01-01T00:00:00Z"));
        }
    }

    private void pass() {
        Term t = new Term("me", store.claimLeadership("me").epoch(), 0);
        new QueuePlacer(store, new ClusterView(store, CATALOG), new PlacementEngine(),
                PlacementPolicy.DEFAULT, Clock.systemUTC(), new SchedulerMetrics())
                .placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
    }

    private QueueUsage usage() {
        return QueueUsage.of(store.jobs(), CATALOG);
    }

    @Test
    void twoFloodedQueuesGetTheirWeightedSharesWithinFivePercent() {
        fleet(12); // 24 nodes, 96 two-device slots
        store.putQueue(new QueueSpec("ml", 2.0, null, null, null, null, null, null, null, null, null, null));
        store.putQueue(QueueSpec.open("batch"));
        submit("batch", "bob", 100);
        submit("ml", "alice", 100);
        pass();
        double ml = usage().of("ml").tflops();
        double batch = usage().of("batch").tflops();
        assertThat(store.jobs().stream().filter(j -> j.state() == JobState.PLACED)).hasSize(96);
        System.out.printf("weighted shares: ml (weight 2) holds %.4f of the normalized TFLOPS held, target %.4f%n",
                ml / (ml + batch), 2 / 3.0);
        assertThat(ml / (ml + batch)).as("ml's share of what is held").isCloseTo(2 / 3.0,
                Offset.offset(0.05 * 2 / 3.0));
    }

    @Test
    void aQuotaIsNeverExceededAndTheWaitingJobNamesIt() {
        fleet(4);
        double slot = usageOfOneSlot();
        store.putQueue(new QueueSpec("small", 1.0, new Quota(3.5 * slot, Map.of()), null, null, null, null, null, null,
                null, null, null));
        submit("small", "alice", 6);
        pass();
        assertThat(usage().of("small").tflops()).isLessThanOrEqualTo(3.5 * slot);
        assertThat(store.jobs().stream().filter(j -> j.state() == JobState.PLACED)).hasSize(3);
        JobRecord waiting = store.jobs().stream().filter(j -> j.state() == JobState.QUEUED).findFirst().orElseThrow();
        assertThat(waiting.events().get(waiting.events().size() - 1).message()).contains("queue small");
    }

    @Test
    void aQueueBorrowsItsCohortsUnusedQuotaAndNoMore() {
        fleet(8);
        double slot = usageOfOneSlot();
        store.putQueue(new QueueSpec("a", 1.0, new Quota(4 * slot, Map.of()), null, "lab", null, null, null, null, null, null, null));
        store.putQueue(new QueueSpec("b", 1.0, new Quota(4 * slot, Map.of()), null, "lab", null, null, null, null, null, null, null));
        submit("a", "alice", 20);
        pass();
        assertThat(usage().of("a").tflops()).as("its own 4 slots and b's unused 4").isCloseTo(8 * slot,
                Offset.offset(slot * 1e-6));
    }

    /** The normalized TFLOPS one two-device job holds on the fastest chip (what it lands on when all is free). */
    private double usageOfOneSlot() {
        submit("probe", "x", 1);
        pass();
        double one = usage().of("probe").tflops();
        store.jobs().stream().filter(j -> j.spec().queue().equals("probe")).forEach(j -> store.deleteJob(j.id()));
        store.allAssignments().keySet().forEach(n -> store.inTransaction(tx -> {
            tx.putAssignments(new AssignmentSet(n, 99, List.of()));
            return null;
        }));
        return one;
    }
}
