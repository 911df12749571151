package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.config.QueueSpec.Quota;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
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
 * Preemption through the real loop parts on an in-memory store: a higher-priority job preempts a
 * lower one of its queue, which keeps its devices until its workers stop and is then requeued
 * without a restart; nobody is evicted for a gang that would still not fit; and a queue reclaims
 * the quota it lent to its cohort.
 */
class PreemptionTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final ClusterView view = new ClusterView(store, CATALOG);
    private final PlanApplier applier = new PlanApplier(store, CATALOG);
    private final Clock clock = Clock.systemUTC();
    private final CycleMemory memory = new CycleMemory(view, clock);
    private final Preemptor preemptor = new Preemptor(store, view, new PlacementEngine(),
            PlacementPolicy.DEFAULT, clock, new SchedulerMetrics(), memory);
    private int seq;

    private void nodes(int count) {
        for (int n = 0; n < count; n++) {
            String name = "n" + n;
            String address = "10.0.0." + n;
            List<DeviceReport> d = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                d.add(DeviceReport.basic(i, name + i, "nvidia-h20", "H20", 96, true, null));
            }
            store.updateNode(name, old -> new NodeRecord(name, address, Map.of(), d, NodeState.READY, "t", 1, false));
        }
    }

    private String submit(String queue, int priority, int shards) {
        return submit(queue, priority, shards, "");
    }

    private String submit(String queue, int priority, int shards, String extra) {
        seq++;
        String id = "job-" + seq;
        store.insertJob(JobRecord.submitted(id, seq, new JobSpecParser(CATALOG).parse(("name: j\nqueue: " + queue
                + "\npriority: " + priority + "\ncommand: [w]\n" + (shards > 0 ? "shards: " + shards + "\n" : "")
                + "devicesPerShard: 8\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 64\n" + extra).getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                "u" + seq, clock.instant().toString()));
        return id;
    }

    private void pass() {
        Term t = new Term("me", store.claimLeadership("me").epoch(), 0);
        view.refresh();
        new JobReconciler(store, view, clock).reconcileChanged().commit(applier, t, clock.instant().toString());
        view.refresh();
        new QueuePlacer(store, view, new PlacementEngine(), PlacementPolicy.DEFAULT, clock,
                new SchedulerMetrics(), QueuePlacer.DEFAULT_BUDGET_NANOS, System::nanoTime, memory)
                .placeQueued(Committer.through(applier, t, clock));
        view.refresh();
        preemptor.preempt().commit(applier, t, clock.instant().toString());
        view.refresh();
    }

    private JobRecord job(String id) {
        return store.job(id).orElseThrow();
    }

    /** What an agent reports once a stopped worker has exited after checkpointing at {@code step}. */
    private void workersStopped(String id, long step) {
        JobRecord j = job(id);
        List<ShardReport> reports = new ArrayList<>();
        j.placement().shards().forEach(s -> reports.add(new ShardReport(id, s.shard(), j.attempt(), ShardPhase.EXITED,
                143, 1L, step, 100L, null, null, step)));
        store.recordShardReports(reports);
        view.invalidate(List.of(), List.of(id));
    }

    @Test
    void aHigherPriorityJobPreemptsALowerOneWhichStopsGracefullyAndIsRequeuedWithoutARestart() {
        nodes(2);
        String low = submit("default", 0, 2);
        pass();
        assertThat(job(low).state()).isEqualTo(JobState.PLACED);
        String high = submit("default", 10, 1);
        pass();
        assertThat(job(low).state()).isEqualTo(JobState.PREEMPTING);
        assertThat(job(high).state()).isEqualTo(JobState.QUEUED);
        List<ShardAssignment> told = new ArrayList<>();
        store.allAssignments().values().forEach(s -> told.addAll(s.shards()));
        assertThat(told).hasSize(2).allMatch(a -> a.jobId().equals(low) && a.stopGraceMs() == 30_000L);
        pass();
        assertThat(job(low).state()).as("keeps its devices while its workers checkpoint").isEqualTo(JobState.PREEMPTING);
        assertThat(job(high).state()).isEqualTo(JobState.QUEUED);

        workersStopped(low, 40);
        pass();
        JobRecord requeued = job(low);
        assertThat(requeued.state()).isEqualTo(JobState.QUEUED);
        assertThat(requeued.attempt()).isEqualTo(2);
        assertThat(requeued.restarts()).isZero();
        assertThat(requeued.events()).extracting(JobEvent::type).contains(EventType.PREEMPTING, EventType.PREEMPTED);
        pass();
        assertThat(job(high).state()).isEqualTo(JobState.PLACED);
        assertThat(job(low).state()).as("a lower priority never preempts a higher one").isEqualTo(JobState.QUEUED);
    }

    @Test
    void nobodyIsEvictedForAGangThatWouldStillNotFit() {
        nodes(2);
        String low = submit("default", 0, 2);
        pass();
        String huge = submit("default", 10, 3);
        pass();
        assertThat(job(low).state()).isEqualTo(JobState.PLACED);
        assertThat(job(huge).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aQueueReclaimsTheQuotaItLentToItsCohort() {
        nodes(4);
        String probe = submit("probe", 0, 1);
        pass();
        double node = QueueUsage.of(store.jobs(), CATALOG).of("probe").tflops();
        store.putQueue(new QueueSpec("a", 1.0, new Quota(2 * node, Map.of()), null, "lab", null, null, null, null, null,
                1000L, null));
        store.putQueue(new QueueSpec("b", 1.0, new Quota(2 * node, Map.of()), null, "lab", null, null, null, null, null,
                1000L, null));
        store.updateJob(probe, j -> j.withCancelRequested());
        pass();
        List<String> borrowers = List.of(submit("a", 0, 1), submit("a", 0, 1), submit("a", 0, 1));
        pass();
        assertThat(borrowers).allMatch(id -> job(id).state() == JobState.PLACED);
        String lender = submit("b", 0, 1);
        String lender2 = submit("b", 0, 1);
        pass();
        assertThat(job(lender).state()).isEqualTo(JobState.PLACED); // the fourth node was free
        pass();
        long preempting = borrowers.stream().filter(id -> job(id).state() == JobState.PREEMPTING).count();
        assertThat(preempting).as("one borrowed node is reclaimed for b's second job").isEqualTo(1);
        borrowers.stream().filter(id -> job(id).state() == JobState.PREEMPTING).forEach(id -> workersStopped(id, 5));
        pass();
        pass();
        assertThat(job(lender2).state()).isEqualTo(JobState.PLACED);
    }

    @Test
    void aNonPreemptibleJobIsNeverAVictim() {
        nodes(2);
        String keep = submit("default", 0, 2, "scheduling: {preemptible: false}\n");
        pass();
        String high = submit("default", 10, 1);
        pass();
        pass();
        assertThat(job(keep).state()).isEqualTo(JobState.PLACED);
        assertThat(job(high).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void anElasticJobAboveItsShareShrinksAtItsCheckpointWhenAnotherQueueWaits() {
        nodes(4);
        String alices = submit("alice", 0, 0, "shards: {min: 1, max: 4}\n");
        pass();
        assertThat(job(alices).placement().shards()).as("the whole idle fleet").hasSize(4);
        String bobs = submit("bob", 0, 2);
        pass();
        assertThat(job(alices).state()).isEqualTo(JobState.PREEMPTING);
        assertThat(job(alices).events().get(job(alices).events().size() - 1).message()).contains("fewer shards");
        workersStopped(alices, 12);
        pass();
        pass();
        assertThat(job(bobs).state()).isEqualTo(JobState.PLACED);
        JobRecord shrunk = job(alices);
        assertThat(shrunk.state()).isEqualTo(JobState.PLACED);
        assertThat(shrunk.placement().shards()).hasSize(2);
        assertThat(shrunk.restarts()).isZero();
        assertThat(shrunk.events()).extracting(JobEvent::type).contains(EventType.PREEMPTED, EventType.SHRUNK);
    }

    @Test
    void aQueueFarAboveItsShareGivesBackANonElasticJobButNeverSoMuchThatTheOrderReverses() {
        nodes(4);
        store.putQueue(new QueueSpec("ml", 2.0, null, null, null, null, null, null, null, null, null, null));
        store.putQueue(new QueueSpec("batch", 1.0, null, null, null, null, null, null, null, null, null, null));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(submit("batch", 0, 1)); // batch takes the whole idle fleet, one node per job
        }
        pass();
        assertThat(batch).allMatch(id -> job(id).state() == JobState.PLACED);
        String ml = submit("ml", 0, 1);
        pass();
        List<String> stopping = batch.stream().filter(id -> job(id).state() == JobState.PREEMPTING).toList();
        assertThat(stopping).as("4 nodes against 0: one batch job gives its node back").hasSize(1);
        assertThat(job(stopping.get(0)).events().get(job(stopping.get(0)).events().size() - 1).message())
                .contains("holds well above its fair share");
        workersStopped(stopping.get(0), 10);
        pass();
        pass();
        assertThat(job(ml).state()).isEqualTo(JobState.PLACED);
        assertThat(batch).as("regression: once placed in a pass, the job made no more victims in that pass")
                .noneMatch(id -> job(id).state() == JobState.PREEMPTING);
        String ml2 = submit("ml", 0, 1);
        pass();
        List<String> second = batch.stream().filter(id -> job(id).state() == JobState.PREEMPTING).toList();
        assertThat(second).as("3 per weight against 0.5: batch is still ahead after giving a second node").hasSize(1);
        workersStopped(second.get(0), 10);
        pass();
        pass();
        assertThat(job(ml2).state()).isEqualTo(JobState.PLACED);
        String ml3 = submit("ml", 0, 1);
        pass();
        pass();
        assertThat(batch).as("2 nodes at weight 1 against 2 at weight 2: a third would put batch (1) behind ml (1.5)")
                .noneMatch(id -> job(id).state() == JobState.PREEMPTING);
        assertThat(job(ml3).state()).isEqualTo(JobState.QUEUED);
    }

    /**
     * Regression (the fair-share replay): a gang that had just started on its reservation had no
     * work to lose, so it was the cheapest fair-share victim, and went straight back to the queue.
     */
    @Test
    void aGangJustStartedOnItsReservationIsNotAFairShareVictim() {
        nodes(4);
        store.putQueue(new QueueSpec("ml", 2.0, null, null, null, null, null, null, null, null, null, null));
        store.putQueue(new QueueSpec("batch", 1.0, null, null, null, null, null, null, null, null, null, null));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(submit("batch", 0, 1));
        }
        pass();
        batch.subList(0, 3).forEach(memory.claims::startedOnReservation); // the first would be the victim otherwise (by id)
        submit("ml", 0, 1);
        pass();
        assertThat(batch.stream().filter(id -> job(id).state() == JobState.PREEMPTING).toList())
                .as("only the one that did not start on a reservation").containsExactly(batch.get(3));
    }
}
