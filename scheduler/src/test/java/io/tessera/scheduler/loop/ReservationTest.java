package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.sim.VirtualClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.QueueSpec;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.PlanApplier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A wide gang that does not fit gets a reservation at the predicted end of the jobs it waits for;
 * small jobs start beside it or only if they end before it, and it starts once those jobs end.
 */
class ReservationTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final ClusterView view = new ClusterView(store, CATALOG);
    private final PlanApplier applier = new PlanApplier(store, CATALOG);
    private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-21T10:00:00Z"));
    /** Jobs the search finds no plan for, as a heuristic search may not: the outer edge this test controls. */
    private final Set<String> unplaceable = new HashSet<>();
    private final PlacementEngine engine = new PlacementEngine();
    private final QueuePlacer placer = new QueuePlacer(store, view, (snapshot, id, spec, policy) -> engine.place(
            unplaceable.contains(id) ? new ClusterSnapshot(CATALOG, List.of()) : snapshot, id, spec, policy),
            PlacementPolicy.DEFAULT, clock, new SchedulerMetrics());
    private int seq;

    private void nodes(int count) {
        for (int n = 0; n < count; n++) {
            String name = "n" + n;
            List<DeviceReport> d = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                d.add(DeviceReport.basic(i, name + i, "nvidia-h20", "H20", 96, true, null));
            }
            store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of(), d, NodeState.READY, "t", 1, false));
        }
    }

    private String submit(int priority, int shards, String extra) {
        seq++;
        String id = "job-" + seq;
        store.insertJob(JobRecord.submitted(id, seq, new JobSpecParser(CATALOG).parse(("name: j\npriority: " + priority
                + "\ncommand: [w]\nshards: " + shards + "\ndevicesPerShard: 8\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 64\n" + extra).getBytes(StandardCharsets.UTF_8), "application/yaml"),
                "u", clock.instant().toString()));
        return id;
    }

    private void pass() {
        Term t = new Term("me", store.claimLeadership("me").epoch(), 0);
        view.refresh();
        new JobReconciler(store, view, clock).reconcileChanged().commit(applier, t, clock.instant().toString());
        view.refresh();
        placer.placeQueued(Committer.through(applier, t, clock));
        view.refresh();
    }

    private JobRecord job(String id) {
        return store.job(id).orElseThrow();
    }

    /** Reports for every shard of {@code id}: at {@code step} of {@code total}, in {@code phase}. */
    private void progress(String id, long step, long total, ShardPhase phase) {
        JobRecord j = job(id);
        List<ShardReport> r = new ArrayList<>();
        j.placement().shards().forEach(s -> r.add(new ShardReport(id, s.shard(), j.attempt(), phase,
                phase == ShardPhase.EXITED ? 0 : null, 1L, step, total, null, null, null)));
        store.recordShardReports(r);
        view.invalidate(List.of(), List.of(id));
    }

    private static Set<String> nodesOf(JobRecord j) {
        Set<String> out = new HashSet<>();
        j.placement().shards().stream().map(ShardPlan::node).forEach(out::add);
        return out;
    }

    /** 4 nodes: a 2-node job that ends in about 100 s and a 1-node job that ends in about 10,000 s; their ids. */
    private List<String> twoRunning() {
        nodes(4);
        String soon = submit(0, 2, "");
        String late = submit(0, 1, "");
        pass();
        double step = job(soon).placement().stepTimeSec();
        progress(soon, 0, (long) Math.ceil(100 / step), ShardPhase.RUNNING);
        progress(late, 0, (long) Math.ceil(10_000 / step), ShardPhase.RUNNING);
        pass();
        return List.of(soon, late);
    }

    @Test
    void aReservationOutlivesItsTenSecondsWhileThePassSkipsItsUnchangedHead() {
        twoRunning();
        String wide = submit(5, 3, "");
        pass();
        assertThat(store.estimatedStart(wide)).isPresent();
        clock.advance(Duration.ofSeconds(11)); // older than REUSE_MS; the capacity has not changed
        pass();
        String unknown = submit(0, 1, "");
        pass();
        assertThat(job(unknown).state()).as("regression: the expired reservation let this job take the gang's node")
                .isEqualTo(JobState.QUEUED);
        assertThat(job(unknown).waitingReason()).contains("behind the reservation of " + wide);
    }

    /**
     * Regression: a job lost its reservation when it stopped being its queue's head (a preempted,
     * older job of its queue came back ahead of it), and a later small job took its devices.
     */
    @Test
    void aReservationIsKeptWhenAnOlderJobOfItsQueueComesBackAheadOfIt() {
        twoRunning();
        String wide = submit(5, 3, "");
        pass();
        String estimate = store.estimatedStart(wide).orElseThrow();
        // an older job of the same queue and priority returns to the queue (as a preempted one does)
        seq++;
        String older = "job-0" + seq;
        store.insertJob(new JobRecord(new JobRecord.Identity(older, 0, "u", clock.instant().toString()),
                job(wide).spec(),
                new JobRecord.Lifecycle(JobState.QUEUED, false, 2, 0, 0),
                null, List.of(new JobEvent(clock.instant().toString(), EventType.PREEMPTED, "back")), null, List.of()));
        pass();
        assertThat(store.estimatedStart(wide)).as("still reserved, at the same start").contains(estimate);
        String small = submit(0, 1, "");
        pass();
        assertThat(job(small).state()).as("it may not take the reserved gang's devices").isEqualTo(JobState.QUEUED);
    }

    @Test
    void aWideGangStartsAtItsReservationWhileSmallJobsBackfillWithoutDelayingIt() {
        List<String> running = twoRunning();
        String soon = running.get(0);
        String late = running.get(1);
        double step = job(soon).placement().stepTimeSec();

        String wide = submit(5, 3, "");
        pass();
        assertThat(job(wide).state()).isEqualTo(JobState.QUEUED);
        Instant estimate = Instant.parse(store.estimatedStart(wide).orElseThrow());
        assertThat(estimate).isBetween(clock.instant().plusSeconds(90), clock.instant().plusSeconds(110));
        assertThat(job(wide).waitingReason()).contains("reserved").contains(soon);

        String unknown = submit(0, 1, "");                            // no step count: cannot prove it ends in time
        String tooLong = submit(0, 1, "scheduling: {steps: " + (long) Math.ceil(500 / step) + "}\n");
        String shortOne = submit(0, 1, "scheduling: {steps: " + (long) Math.ceil(20 / step) + "}\n");
        pass();
        assertThat(job(unknown).state()).isEqualTo(JobState.QUEUED);
        assertThat(job(unknown).waitingReason()).contains("behind the reservation of " + wide);
        assertThat(job(tooLong).state()).isEqualTo(JobState.QUEUED);
        assertThat(job(shortOne).state()).as("ends before the reservation: backfills").isEqualTo(JobState.PLACED);

        progress(shortOne, 1, 1, ShardPhase.EXITED);
        progress(soon, 1, 1, ShardPhase.EXITED);
        pass();
        JobRecord started = job(wide);
        assertThat(started.state()).isEqualTo(JobState.PLACED);
        assertThat(nodesOf(started)).doesNotContain(nodesOf(job(late)).iterator().next());
        assertThat(store.estimatedStart(wide)).isEmpty();
    }

    @Test
    void aSixtyFourShardGangReservesWhereEnoughRunningJobsEndAndOneNodeJobsBackfillOnlyBesideIt() {
        nodes(72);
        List<String> running = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            running.add(submit(0, 8, ""));      // 9 jobs of 8 nodes: the whole fleet
        }
        pass();
        double step = job(running.get(0)).placement().stepTimeSec();
        for (int k = 0; k < 9; k++) {           // they end 10, 20, ... 90 minutes from now
            progress(running.get(k), 0, (long) Math.ceil((k + 1) * 600 / step), ShardPhase.RUNNING);
        }
        pass();
        String wide = submit(5, 64, "");
        pass();
        Instant estimate = Instant.parse(store.estimatedStart(wide).orElseThrow());
        // 64 nodes are free once the 8 jobs ending first are gone: 80 minutes from now.
        assertThat(estimate).isBetween(clock.instant().plusSeconds(80 * 60 - 30), clock.instant().plusSeconds(80 * 60 + 30));
        assertThat(job(wide).waitingReason()).contains("reserved");
        progress(running.get(0), 1, 1, ShardPhase.EXITED);   // the first job ends early: 8 nodes free
        pass();
        String small = submit(0, 1, "scheduling: {steps: " + (long) Math.ceil(7200 / step) + "}\n");
        pass();
        assertThat(job(small).state()).as("a 2-hour job would still hold a reserved node at the reservation")
                .isEqualTo(JobState.QUEUED);
        String quick = submit(0, 1, "scheduling: {steps: " + (long) Math.ceil(300 / step) + "}\n");
        pass();
        assertThat(job(quick).state()).as("a 5-minute job ends before it").isEqualTo(JobState.PLACED);
    }

    /** Regression: a renewal counted the remaining time from now, so a reservation drifted later between reports. */
    @Test
    void aReservationDoesNotDriftLaterBetweenProgressReports() {
        twoRunning();
        String wide = submit(5, 3, "");
        pass();
        String estimate = store.estimatedStart(wide).orElseThrow();
        clock.advance(Duration.ofSeconds(30)); // no report in between
        nodes(5);                              // capacity changes, so the head is looked at again: a renewal
        pass();
        assertThat(store.estimatedStart(wide)).contains(estimate);
    }

    /** Regression: a job whose best plan used a reserved node waited, though a free node beside the reservation fit it. */
    @Test
    void aJobWhoseBestPlanWouldDelayAReservationBackfillsBesideIt() {
        String soon = twoRunning().get(0);
        nodes(5); // a fifth node, free
        String wide = submit(5, 3, "");
        pass();
        assertThat(store.estimatedStart(wide)).isPresent();
        String unknown = submit(0, 1, ""); // no step count: it may only start beside the reservation
        pass();
        assertThat(job(unknown).state()).isEqualTo(JobState.PLACED);
        progress(soon, 1, 1, ShardPhase.EXITED);
        pass();
        assertThat(job(wide).state()).as("the backfill did not delay it").isEqualTo(JobState.PLACED);
        assertThat(nodesOf(job(wide))).doesNotContainAnyElementsOf(nodesOf(job(unknown)));
    }

    /**
     * Regression: a reservation worked out in a pass counted on the devices a job of another queue
     * had just been given in that pass (not yet committed), and that job then ran on them past it.
     */
    @Test
    void aReservationDoesNotCountOnDevicesTakenEarlierInTheSamePass() {
        nodes(4);
        store.putQueue(new QueueSpec("a", 1.0, null, null, null, null, null, null, null, null, null, null));
        store.putQueue(new QueueSpec("b", 1.0, null, null, null, null, null, null, null, null, null, null));
        String soon = submit(0, 2, "queue: b\n");
        pass();
        progress(soon, 0, (long) Math.ceil(100 / job(soon).placement().stepTimeSec()), ShardPhase.RUNNING);
        String taker = submit(0, 2, "queue: a\n");    // first in the pass (queue a holds nothing), no step count
        String wide = submit(0, 3, "queue: b\n");     // b's head: 3 nodes, only 2 of which ever free
        pass();
        assertThat(job(taker).state()).isEqualTo(JobState.PLACED);
        assertThat(store.estimatedStart(wide)).as("no end is predicted for the nodes it would need").isEmpty();
    }

    /**
     * When its time has come and its devices are free, a gang gets the plan it reserved even if a
     * fresh search finds none; otherwise its devices, reserved for a start already past, would sit idle.
     */
    @Test
    void atItsTimeTheGangGetsTheReservedPlanEvenIfAFreshSearchFindsNone() {
        String soon = twoRunning().get(0);
        String wide = submit(5, 3, "");
        pass();
        Instant estimate = Instant.parse(store.estimatedStart(wide).orElseThrow());
        unplaceable.add(wide);
        progress(soon, 1, 1, ShardPhase.EXITED);
        pass();
        assertThat(job(wide).state()).as("before its time the search decides, and it finds nothing").isEqualTo(JobState.QUEUED);
        clock.set(estimate.toEpochMilli());
        pass();
        assertThat(job(wide).state()).isEqualTo(JobState.PLACED);
        assertThat(job(wide).placement().shards()).hasSize(3);
    }
}
