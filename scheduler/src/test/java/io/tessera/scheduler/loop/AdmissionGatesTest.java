package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.LimitsConfig;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.policy.FairShareOrder;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import io.tessera.scheduler.state.PlanApplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each admission gate as a table: a candidate and a queue pass built in memory (no store, no
 * loop), and the verdict the gate must answer.
 */
class AdmissionGatesTest {
    static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    static final long NOW = Instant.parse("2026-12-01T00:10:00Z").toEpochMilli();
    static final PlacementEngine ENGINE = new PlacementEngine();

    /** One row: a gate, a candidate, the pass it meets, what it decided so far, and the verdict expected. */
    record Row(String name, AdmissionGate gate, Candidate c, QueuePass pass, PlacementDecision sofar,
               Class<? extends GateVerdict> verdict, WaitKind kind) {
        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachGateAnswersItsVerdict(Row row) {
        GateVerdict v = row.gate().check(row.c(), row.pass(), row.sofar());
        assertThat(v).isInstanceOf(row.verdict());
        if (v instanceof GateVerdict.Wait w) {
            assertThat(w.kind()).isEqualTo(row.kind());
            assertThat(w.detail()).isNotBlank();
        }
        if (v instanceof GateVerdict.Admit a && row.sofar() != null && row.gate() instanceof QuotaAdmissionGate) {
            assertThat(a.decision()).isSameAs(row.sofar());
        }
    }

    static Stream<Row> rows() {
        LimitsConfig.RestartBackoff tenSeconds = new LimitsConfig.RestartBackoff(10_000L, 60_000L);
        JobRecord fresh = job("fresh", 2);
        JobRecord restarted = restartedAt(job("restarted", 2), NOW - 1_000);
        JobRecord restartedLongAgo = restartedAt(job("old-restart", 2), NOW - 20_000);
        JobRecord huge = job("huge", 64);
        JobRecord endless = job("endless", 2, "");
        QueuePass eight = pass(8, QueueSpec.open("default"));
        PlacementDecision twoOnN0 = decision(fresh, eight.working);
        BlockedSet triedHuge = BlockedSet.remembering();
        triedHuge.tried(BlockedSet.Trial.PLACEMENT, "huge", eight.working.fingerprint());
        QueueSpec noQuota = new QueueSpec("capped", null, new QueueSpec.Quota(0.0, Map.of()), null, null, null, null,
                null, null, null, null, null);
        QueueSpec tiny = new QueueSpec("tiny", null, new QueueSpec.Quota(1.0, Map.of()), null, null, null, null,
                null, null, null, null, null);
        Reservation othersOnN0 = new Reservation("other", NOW + 3_600_000, Map.of("n0", Set.of(0, 1, 2, 3, 4, 5, 6, 7)),
                List.of("running"), Set.of("nvidia-h100"), null);
        QueuePass reservedN0 = pass(8, QueueSpec.open("default"));
        reservedN0.reserved.add(othersOnN0);
        Book none = new Book(Optional.empty(), Optional.empty());
        Book promising = new Book(Optional.empty(), Optional.of(new Reservation("huge", NOW + 60_000,
                Map.of("n0", Set.of(0)), List.of("running"), Set.of("nvidia-h100"), null)));
        return Stream.of(
                new Row("backoff: restarted a second ago waits", new RestartBackoffGate(tenSeconds),
                        candidate(restarted, false), eight, null, GateVerdict.Wait.class, WaitKind.RESTART_BACKOFF),
                new Row("backoff: restarted past its backoff goes on", new RestartBackoffGate(tenSeconds),
                        candidate(restartedLongAgo, false), eight, null, GateVerdict.Admit.class, null),
                new Row("backoff: never restarted goes on", new RestartBackoffGate(tenSeconds),
                        candidate(fresh, false), eight, null, GateVerdict.Admit.class, null),
                new Row("unchanged: tried on this capacity is skipped", new UnchangedCapacityGate(triedHuge, none),
                        candidate(huge, false), eight, null, GateVerdict.Unchanged.class, null),
                new Row("unchanged: a head is tried every pass", new UnchangedCapacityGate(triedHuge, none),
                        candidate(huge, true), eight, null, GateVerdict.Admit.class, null),
                new Row("unchanged: other capacity is tried", new UnchangedCapacityGate(triedHuge, none),
                        candidate(huge, false), pass(7, QueueSpec.open("default")), null, GateVerdict.Admit.class, null),
                new Row("headroom: a queue with a zero quota waits", new QuotaHeadroomGate(),
                        candidate(fresh, false, noQuota), pass(8, noQuota), null, GateVerdict.Wait.class,
                        WaitKind.QUEUE_AT_QUOTA),
                new Row("headroom: an open queue goes on", new QuotaHeadroomGate(),
                        candidate(fresh, false), eight, null, GateVerdict.Admit.class, null),
                new Row("fit: fits and gets a plan", new FitGate(ENGINE, none, BlockedSet.remembering(), SchedulerEvents.NONE),
                        candidate(fresh, false), eight, null, GateVerdict.Admit.class, null),
                new Row("fit: too big, not a head", new FitGate(ENGINE, none, BlockedSet.remembering(), SchedulerEvents.NONE),
                        candidate(huge, false), eight, null, GateVerdict.Unfit.class, null),
                new Row("fit: too big, a head with a reservation", new FitGate(ENGINE, promising, BlockedSet.remembering(),
                        SchedulerEvents.NONE), candidate(huge, true), pass(8, QueueSpec.open("default")), null,
                        GateVerdict.Wait.class, WaitKind.RESERVED),
                new Row("fit: too big, a head no end makes room for", new FitGate(ENGINE, none, BlockedSet.remembering(),
                        SchedulerEvents.NONE), candidate(huge, true), eight, null, GateVerdict.Unfit.class, null),
                new Row("reservation: no reservation in force", new ReservationGate(ENGINE),
                        candidate(fresh, false), eight, twoOnN0, GateVerdict.Admit.class, null),
                new Row("reservation: would delay one and fits nowhere beside it", new ReservationGate(ENGINE),
                        candidate(endless, false), reservedN0, decision(endless, reservedN0.working), GateVerdict.Wait.class,
                        WaitKind.BEHIND_RESERVATION),
                new Row("reservation: ends before the reservation starts", new ReservationGate(ENGINE),
                        candidate(fresh, false), reservedN0, decision(fresh, reservedN0.working), GateVerdict.Admit.class,
                        null),
                new Row("quota: a plan past the queue's quota waits", new QuotaAdmissionGate(),
                        candidate(fresh, false, tiny), pass(8, tiny), twoOnN0, GateVerdict.Wait.class, WaitKind.OVER_QUOTA),
                new Row("quota: an open queue admits the plan", new QuotaAdmissionGate(),
                        candidate(fresh, false), eight, twoOnN0, GateVerdict.Admit.class, null));
    }

    @Test
    void aHeadThatDoesNotFitIsRecordedBlockedAndItsReservationJoinsThePass() {
        BlockedSet blocked = BlockedSet.remembering();
        Reservation r = new Reservation("huge", NOW + 60_000, Map.of("n0", Set.of(0)), List.of("running"),
                Set.of("nvidia-h100"), null);
        QueuePass p = pass(8, QueueSpec.open("default"));
        new FitGate(ENGINE, new Book(Optional.empty(), Optional.of(r)), blocked, SchedulerEvents.NONE)
                .check(candidate(job("huge", 64), true), p, null);
        assertThat(p.reserved).containsExactly(r);
        assertThat(blocked.triedOn(BlockedSet.Trial.PLACEMENT, "huge", p.working.fingerprint())).isTrue();
    }

    @Test
    void aDueReservationIsKeptEvenWhenTheSearchFindsNoPlan() {
        QueuePass p = pass(8, QueueSpec.open("default"));
        Plan promised = decision(job("fresh", 2), p.working).plan();
        GateVerdict v = new FitGate(ENGINE, new Book(Optional.of(promised), Optional.empty()), BlockedSet.remembering(),
                SchedulerEvents.NONE).check(candidate(job("huge", 64), false), p, null);
        assertThat(v).isInstanceOf(GateVerdict.Admit.class);
        assertThat(((GateVerdict.Admit) v).decision().plan()).isSameAs(promised);
    }

    /** A reservation book that answers the same for every job. */
    record Book(Optional<Plan> due, Optional<Reservation> reserve) implements ReservationBook {
        @Override
        public boolean holds(String jobId) {
            return reserve.isPresent();
        }

        @Override
        public Optional<Plan> due(String jobId, ClusterSnapshot now) {
            return due;
        }

        @Override
        public Optional<Reservation> blocked(CycleState state, JobRecord head, ClusterSnapshot snapshot, PlacementPolicy policy,
                                             List<Reservation> others, Map<String, Set<Integer>> pending) {
            return reserve;
        }
    }

    static JobRecord job(String id, int shards) {
        return job(id, shards, "\nscheduling: {steps: 1000}");
    }

    /** {@code extra}: more of the spec (a job without {@code scheduling.steps} has no predicted end). */
    static JobRecord job(String id, int shards, String extra) {
        String yaml = "name: " + id + "\ncommand: [w]\nshards: " + shards + "\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1"
                + "\nglobalBatch: " + (4 * shards) + extra + "\n";
        return JobRecord.submitted(id, 1, new JobSpecParser(CATALOG).parse(yaml.getBytes(StandardCharsets.UTF_8),
                "application/yaml"),
                "alice", "2026-12-01T00:00:00Z");
    }

    static JobRecord restartedAt(JobRecord j, long atMs) {
        return new JobRecord(new JobRecord.Identity(j.id(), j.seq(), "alice", j.submittedAt()),
                j.spec(),
                new JobRecord.Lifecycle(JobState.QUEUED, false, 1, 1, 0),
                null,
                        List.of(new JobEvent(Instant.ofEpochMilli(atMs).toString(), EventType.RESTARTING, "exit 1", 1, null)), null, List.of());
    }

    static Candidate candidate(JobRecord job, boolean head) {
        return candidate(job, head, QueueSpec.open("default"));
    }

    static Candidate candidate(JobRecord job, boolean head, QueueSpec queue) {
        return new Candidate(job, queue, PlacementPolicy.DEFAULT, head);
    }

    /** A pass over one node of {@code free} free H100s, with {@code queue} the only queue. */
    static QueuePass pass(int free, QueueSpec queue) {
        ClusterSnapshot s = new ClusterSnapshot(CATALOG, List.of(new NodeView("n0", "10.0.0.1", Map.of(),
                Map.of("nvidia-h100", IntStream.range(0, free).boxed().toList()))));
        Map<String, QueueSpec> queues = Map.of(queue.name(), queue);
        QueueUsage usage = QueueUsage.of(List.of(), CATALOG);
        return new QueuePass(queues, new FairShareOrder(List.of(), queues, usage), new ArrayList<>(), Set.of(), CycleState.of(s), NOW);
    }

    static PlacementDecision decision(JobRecord job, ClusterSnapshot s) {
        Plan plan = (Plan) ENGINE.place(s, job.id(), job.spec(), PlacementPolicy.DEFAULT);
        return new PlacementDecision(new PlanApplier.Proposal(job.id(), job.attempt(), plan),
                0, List.of());
    }
}
