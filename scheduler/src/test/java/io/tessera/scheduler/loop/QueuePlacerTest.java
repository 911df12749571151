package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.WaitKind;
import java.time.Duration;
import java.time.Instant;
import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.sim.VirtualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
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
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.memory.InMemoryClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue pass on an in-memory store: bounded by its budget, and a job behind its queue's head that did not fit is not re-planned until capacity changes. */
class QueuePlacerTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final AtomicInteger places = new AtomicInteger();
    /** How often each job was planned. */
    private final Map<String, Integer> planned = new ConcurrentHashMap<>();
    private final Placer counting = (snapshot, id, spec, policy) -> {
        places.incrementAndGet();
        planned.merge(id, 1, Integer::sum);
        return new PlacementEngine().place(snapshot, id, spec, policy);
    };

    private void node(String name, int devices) {
        List<DeviceReport> d = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            d.add(DeviceReport.basic(i, name + i, "nvidia-h20", "H20", 96, true, null));
        }
        store.updateNode(name, old -> new NodeRecord(name, "10.0.0.1", Map.of(), d, NodeState.READY, "t", 1, false));
    }

    private String queue(int seq, int shards) {
        String id = "job-" + seq;
        store.insertJob(JobRecord.submitted(
                id, seq, new JobSpecParser(CATALOG).parse(("name: q\ncommand: [w]\nshards: " + shards
                + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: " + (4 * shards) + "\n")
                .getBytes(StandardCharsets.UTF_8), "application/yaml"),
                "alice", "2026-01-01T00:00:00Z"));
        return id;
    }

    private QueuePlacer placer(long budget, AtomicLong now) {
        return new QueuePlacer(store, new ClusterView(store, CATALOG), counting,
                PlacementPolicy.DEFAULT, Clock.systemUTC(), new SchedulerMetrics(), budget, now::get);
    }

    private Term term() {
        return new Term("me", store.claimLeadership("me").epoch(), 0);
    }

    @Test
    void aPassStopsAtItsBudgetAndTheNextPassGoesOn() {
        node("n1", 8);
        for (int i = 0; i < 6; i++) {
            queue(i, 1);
        }
        AtomicLong now = new AtomicLong();
        QueuePlacer p = new QueuePlacer(store, new ClusterView(store, CATALOG), (s, id, spec, policy) -> {
            now.addAndGet(40);      // each decision "takes" 40 ns of a 100 ns budget
            return new PlacementEngine().place(s, id, spec, policy);
        }, PlacementPolicy.DEFAULT, Clock.systemUTC(), new SchedulerMetrics(), 100,
                now::get);
        Term t = term();
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isEqualTo(3);
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isEqualTo(3);
        assertThat(store.jobs()).allMatch(j -> j.state() == JobState.PLACED);
    }

    /**
     * A job behind its queue's head that did not fit is not planned again until the capacity
     * changes; the head is planned on every pass, since its reservation follows the predicted ends
     * of the jobs it waits for, which progress reports move without changing the capacity.
     */
    @Test
    void aJobThatDidNotFitIsNotReplannedUntilCapacityChangesButItsQueuesHeadIs() {
        node("n1", 2);
        queue(1, 4);
        queue(2, 3);
        AtomicLong now = new AtomicLong();
        QueuePlacer p = placer(Long.MAX_VALUE / 4, now);
        Term t = term();
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isZero();
        assertThat(planned.get("job-2")).as("the decision, and whether it could fit the fleet if nothing ran").isEqualTo(2);
        int head = planned.get("job-1");
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        assertThat(planned.get("job-2")).as("same capacity, no new decision").isEqualTo(2);
        assertThat(planned.get("job-1")).as("the head is planned again on each pass").isGreaterThan(head);
        node("n2", 2);
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isEqualTo(1);
        assertThat(planned.get("job-2")).as("capacity changed: planned again").isGreaterThan(2);
    }

    @Test
    void aJobThatCouldFitAnIdleFleetWaitsAndOneThatCouldNotIsMarkedUnschedulable() {
        node("n1", 8);
        String busy = queue(1, 8);
        AtomicLong now = new AtomicLong();
        QueuePlacer p = placer(Long.MAX_VALUE / 4, now);
        Term t = term();
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        String waits = queue(2, 8);
        String never = queue(3, 9);
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        assertThat(store.job(busy).orElseThrow().state()).isEqualTo(JobState.PLACED);
        JobRecord w = store.job(waits).orElseThrow();
        assertThat(w.events().get(w.events().size() - 1).type()).isEqualTo(EventType.WAITING);
        JobRecord n = store.job(never).orElseThrow();
        assertThat(n.state()).isEqualTo(JobState.QUEUED);
        assertThat(n.events().get(n.events().size() - 1).type()).isEqualTo(EventType.UNSCHEDULABLE);
        assertThat(n.waitingReason()).startsWith("can never fit this fleet").contains("needs at least 9 shards");
    }

    /**
     * Regression: a job whose node was lost went back to the queue as "UNSCHEDULABLE: can never
     * fit", though docs/api.md says a lost or drained node never makes a job unschedulable (it may
     * come back). It now waits for capacity, with the lost node named among the reasons.
     */
    @Test
    void aJobThatOnlyALostOrDrainedNodeCouldHoldWaitsForItAndIsNotUnschedulable() {
        node("n1", 8);
        node("n2", 8);
        node("n3", 4); // what is left ready cannot hold the job
        store.updateNode("n1", old -> old.orElseThrow().withState(NodeState.LOST));
        store.updateNode("n2", old -> old.orElseThrow().withDrained(true));
        String job = queue(1, 8);
        placer(Long.MAX_VALUE / 4, new AtomicLong()).placeQueued(Committer.through(new PlanApplier(store, CATALOG), term(),
                Clock.systemUTC()));

        JobRecord j = store.job(job).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.QUEUED);
        assertThat(j.waiting().kind()).isEqualTo(WaitKind.NO_FIT);
        assertThat(j.events()).extracting(JobEvent::type).doesNotContain(EventType.UNSCHEDULABLE);
        assertThat(j.events().get(j.events().size() - 1).message()).contains("lost").contains("drained");
    }

    @Test
    void aJobWaitingThroughCapacityChangesGetsOneWaitingEventAndACurrentReason() {
        node("n1", 8);
        String busy = queue(1, 6);
        AtomicLong now = new AtomicLong();
        QueuePlacer p = placer(Long.MAX_VALUE / 4, now);
        Term t = term();
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        assertThat(store.job(busy).orElseThrow().state()).isEqualTo(JobState.PLACED);
        String waits = queue(2, 4);
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        assertThat(store.job(waits).orElseThrow().waitingReason()).contains("holds 2");
        node("n2", 1);
        p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()));
        JobRecord w = store.job(waits).orElseThrow();
        assertThat(w.waitingReason()).as("the reason follows the capacity").contains("holds 3");
        assertThat(w.events().stream().filter(e -> e.type() == EventType.WAITING).count())
                .as("regression: one WAITING event, not one per capacity change").isEqualTo(1);
    }

    /** Regression: restarts had no backoff, so a bad checkpoint directory used up every restart within seconds. */
    @Test
    void aRestartedJobWaitsOutItsBackoffBeforeItIsPlacedAgain() {
        node("n1", 8);
        VirtualClock clock = new VirtualClock(
                Instant.parse("2026-01-01T00:10:00Z"));
        String failedAt = clock.instant().toString();
        JobRecord job = new JobRecord(new JobRecord.Identity("job-r", 1, "alice", "2026-01-01T00:00:00Z"),
                new JobSpecParser(CATALOG).parse(("name: r\ncommand: [w]\nshards: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\nrestartLimit: 5\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                new JobRecord.Lifecycle(JobState.QUEUED, false, 3, 2, 0),
                null, List.of(
                new JobEvent(failedAt, EventType.SHARD_FAILED, "shard 0 exited with code 1"),
                new JobEvent(failedAt, EventType.RESTARTING, "restart 2 of 5", 3, null)), null, List.of());
        store.insertJob(job);
        QueuePlacer p = new QueuePlacer(store, new ClusterView(store, CATALOG), counting,
                PlacementPolicy.DEFAULT, clock, new SchedulerMetrics(), Long.MAX_VALUE, () -> 0)
                .withRestartBackoff(new LimitsConfig.RestartBackoff(1000L, 60_000L));
        Term t = term();
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isZero();
        assertThat(store.job("job-r").orElseThrow().waitingReason()).startsWith("restart backoff until 2026-01-01T00:10:02Z");
        clock.advance(Duration.ofMillis(1999));
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(p.placeQueued(Committer.through(new PlanApplier(store, CATALOG), t, Clock.systemUTC()))).isEqualTo(1); // the second restart waits 2 x 1 s
        assertThat(store.job("job-r").orElseThrow().state()).isEqualTo(JobState.PLACED);
    }
}
