package io.tessera.scheduler.loop;

import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.events.SchedulerEvents;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.policy.RestartBackoffPolicy;
import io.tessera.scheduler.policy.FairShareOrder;
import io.tessera.scheduler.policy.QueueUsage;
import io.tessera.scheduler.policy.QuotaCharge;
import io.tessera.scheduler.policy.QuotaPolicy;
import io.tessera.scheduler.policy.UsageHistory;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places queued jobs in {@link FairShareOrder} (weighted max-min across queues, then priority and
 * users within a queue), within each queue's quota ({@link QuotaPolicy}) and around the
 * reservations of blocked queue heads ({@link Reservations}). The queue and the snapshot come
 * from the pass's {@link CycleState}. Each job plans on the snapshot minus the plans decided
 * before it ({@link ClusterSnapshot#minus}); the plans go back to the loop as one
 * {@link StageDecision}, committed with the rest of the pass in one fenced transaction that
 * re-checks each against live state and the others; a plan that conflicts has its nodes re-read
 * and is planned again on the next pass. The queue pass never holds the applier or the term. Each job passes the {@link AdmissionGate}s in order; one that does not
 * fit records why in its events (once per distinct reason), is not
 * tried again until the capacity it saw changes ({@link ClusterSnapshot#fingerprint}), and
 * lower-priority jobs may still backfill. A pass places for at most {@code budgetNanos}, so a long
 * queue never holds up liveness, reconciliation and cancels: the rest waits for the next pass.
 */
public final class QueuePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePlacer.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Placer placer;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final SchedulerEvents events;
    /** How long one pass may spend placing, by default. */
    public static final long DEFAULT_BUDGET_NANOS = 200_000_000L;
    private final long budgetNanos;
    private final LongSupplier nanoTime;
    /** What the loop carries from pass to pass: the blocked set, reservations, usage history, claims. */
    private final CycleMemory memory;
    private final BlockedSet blocked;
    private final Reservations reservations;
    private final WaitingNotes notes;
    private final PreemptionClaims claims;

    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events) {
        this(store, view, placer, policy, clock, events, DEFAULT_BUDGET_NANOS, System::nanoTime);
    }

    /** With a placing budget per pass and the time source it is measured with. */
    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events, long budgetNanos, LongSupplier nanoTime) {
        this(store, view, placer, policy, clock, events, budgetNanos, nanoTime, new CycleMemory(view, clock));
    }

    /** @param memory what the loop carries from pass to pass, shared with its other stages */
    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events, long budgetNanos,
                       LongSupplier nanoTime, CycleMemory memory) {
        this.memory = memory;
        this.blocked = memory.blocked;
        this.claims = memory.claims;
        this.view = view;
        this.budgetNanos = budgetNanos;
        this.nanoTime = nanoTime;
        this.events = events;
        this.store = store;
        this.placer = placer;
        this.policy = policy;
        this.clock = clock;
        this.reservations = new Reservations(store, placer, clock, memory);
        this.notes = new WaitingNotes(store, placer, clock, blocked);
        this.gates = gates(LimitsConfig.RestartBackoff.DEFAULT);
    }

    /**
     * {@link #place} on the view as it is now (refreshed first), committed through {@code commits}:
     * the queue stage alone (tests). Returns how many jobs it placed.
     */
    public int placeQueued(Committer commits) {
        view.refresh();
        StageDecision d = place(CycleState.of(view));
        List<PlanApplier.Outcome> outcomes = commits.commit(d);
        SchedulingLoop.tell(view, d.changes(), outcomes);
        return placed(d.changes(), outcomes);
    }

    /** How many of {@code changes} are placements that committed. */
    static int placed(List<Change> changes, List<PlanApplier.Outcome> outcomes) {
        int n = 0;
        for (int i = 0; i < changes.size(); i++) {
            n += changes.get(i) instanceof Change.Place && outcomes.get(i) instanceof PlanApplier.Committed ? 1 : 0;
        }
        return n;
    }

    /**
     * What fits of the queue of {@code s} within the budget, in {@link FairShareOrder} and within
     * each queue's quota ({@link QuotaPolicy}): the plans, each decided on the capacity the ones
     * before it leave, then the pass's waiting reasons and estimated starts, for the loop to commit.
     */
    public StageDecision place(CycleState s) {
        long deadline = nanoTime.getAsLong() + budgetNanos;
        notes.newPass();
        List<JobRecord> queued = s.queued();
        Set<String> ids = new HashSet<>();
        queued.forEach(j -> ids.add(j.id()));
        blocked.retain(BlockedSet.Trial.PLACEMENT, ids);
        notes.retain(ids);
        Map<String, QueueSpec> queues = store.queues();
        QueueUsage held = QueueUsage.of(s.jobs(), s.catalog());
        UsageHistory history = memory.usage == null ? UsageHistory.start(clock.millis(), UsageHistory.DEFAULT_HALF_LIFE_MS)
                : memory.usage.advance(held, clock.millis());
        memory.usage = history;
        Set<String> claimed = claims.active(ids);
        FairShareOrder order = new FairShareOrder(queued, queues, held, claimed, history);
        List<Reservation> reserved = new ArrayList<>(reservations.forPass(queued));
        Set<String> heads = new HashSet<>();
        Set<String> queuesSeen = new HashSet<>();
        queued.forEach(j -> {
            if (queuesSeen.add(j.spec().queue())) {
                heads.add(j.id());
            }
        });
        QueuePass pass = new QueuePass(queues, order, reserved, heads, s, clock.millis());
        Set<String> placedIds = new HashSet<>();
        List<PlacementDecision> decided = new ArrayList<>();
        Map<String, Set<Integer>> pending = new HashMap<>();
        pass.pending = pending;
        for (Optional<JobRecord> next = order.next(); next.isPresent(); next = order.next()) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            Optional<PlacementDecision> d = offer(next.get(), pass);
            if (d.isEmpty()) {
                continue;
            }
            decided.add(d.get());
            placedIds.add(next.get().id());
            pass.working = pass.working.minus(d.get().plan());
            d.get().plan().shards().forEach(sh -> pending.computeIfAbsent(sh.node(), k -> new HashSet<>()).addAll(sh.devices()));
        }
        List<Change> notes = new ArrayList<>(this.notes.drain()); // waiting reasons and estimated starts
        StageDecision places = places(decided);
        List<Reservation> starts = new ArrayList<>(reserved);
        starts.addAll(reservations.estimates(s.after(places.changes()), queued, placedIds, pass.working, reserved,
                j -> policyFor(QueueUsage.spec(queues, j.spec().queue()))));
        reservations.publish(starts).ifPresent(notes::add);
        memory.inForce = List.copyOf(reserved);
        return places.and(StageDecision.of(notes, outcomes -> { }));
    }

    /**
     * Offers {@code job} the capacity left in {@code p}: it passes the {@link AdmissionGate}s in
     * order, and the first that holds it says why it waits (noted, and counted by gate and kind);
     * through all of them, its plan is counted against its queue and its reservation is spent.
     */
    private Optional<PlacementDecision> offer(JobRecord job, QueuePass p) {
        QueueSpec queue = QueueUsage.spec(p.queues, job.spec().queue());
        boolean head = p.heads.contains(job.id()) || reservations.holds(job.id());
        Candidate c = new Candidate(job, queue, policyFor(queue), head);
        PlacementDecision d = null;
        for (AdmissionGate gate : gates) {
            GateVerdict v = gate.check(c, p, d);
            if (v instanceof GateVerdict.Admit a) {
                d = a.decision();
                continue;
            }
            held(p.state, c, gate, v);
            return Optional.empty();
        }
        p.order.placed(job, QuotaCharge.of(d.plan(), p.working.catalog()));
        if (p.reserved.removeIf(r -> r.jobId().equals(job.id()))) { // placed: its reservation is spent
            claims.startedOnReservation(job.id());
        }
        return Optional.of(d);
    }

    /** Notes why a gate held {@code c}, and counts it. */
    private void held(CycleState s, Candidate c, AdmissionGate gate, GateVerdict v) {
        if (v instanceof GateVerdict.Wait w) {
            notes.waiting(c.job(), w.why(), w.detail());
            events.admissionWait(gate.name(), w.kind().name().toLowerCase(Locale.ROOT));
        } else if (v instanceof GateVerdict.Unfit u) {
            Optional<Unschedulable> idle = notes.onIdleFleet(s, c.job(), c.policy());
            notes.unschedulable(s, c.job(), u.result(), idle);
            events.admissionWait(gate.name(), (idle.isEmpty() ? WaitKind.NO_FIT : WaitKind.NEVER_FITS).name()
                    .toLowerCase(Locale.ROOT));
        }
    }

    /** The admission gates, in the order a job passes them. */
    private List<AdmissionGate> gates;

    private List<AdmissionGate> gates(LimitsConfig.RestartBackoff backoff) {
        return List.of(new RestartBackoffGate(backoff), new UnchangedCapacityGate(blocked, reservations),
                new QuotaHeadroomGate(), new FitGate(placer, reservations, blocked, events), new ReservationGate(placer),
                new QuotaAdmissionGate());
    }

    /** How long a failed gang waits before its next attempt ({@link RestartBackoffPolicy}). */
    public QueuePlacer withRestartBackoff(LimitsConfig.RestartBackoff value) {
        this.gates = gates(value);
        return this;
    }

    /** The placement policy for a job of {@code queue}: the queue's vendor cap, where it sets one. */
    private PlacementPolicy policyFor(QueueSpec queue) {
        return queue.maxVendorShare() == null ? policy : new PlacementPolicy(queue.maxVendorShare(),
                policy.defaultMinVendors(), policy.memoryHeadroom(), policy.network(), policy.throughput());
    }

    /**
     * The placements decided, for the pass's one commit, which re-checks each against live state
     * and the others. A plan that conflicts (its devices were taken, its job cancelled) has its
     * nodes and job re-read by the loop, and the job is planned again on the next pass.
     */
    private StageDecision places(List<PlacementDecision> decided) {
        List<Change.Place> changes = decided.stream().map(d -> new Change.Place(d.proposal().jobId(),
                d.proposal().attempt(), d.plan())).toList();
        return StageDecision.of(changes, outcomes -> {
            for (int i = 0; i < decided.size(); i++) {
                PlanApplier.Proposal p = decided.get(i).proposal();
                boolean committed = outcomes.get(i) instanceof PlanApplier.Committed;
                events.placement(decided.get(i).nanos(), committed ? "placed" : "conflict", decided.get(i).vetoes());
                if (outcomes.get(i) instanceof PlanApplier.Committed c) {
                    events.queueWait(c.job().spec().queue(), Math.max(0, Duration.between(
                            Instant.parse(c.job().submittedAt()), clock.instant()).toMillis() / 1000.0));
                    LOG.info("job {} placed: {}", p.jobId(), c.job().events().get(c.job().events().size() - 1).message());
                } else {
                    LOG.info("job {} commit conflict, re-planning: {}", p.jobId(),
                            ((PlanApplier.Conflict) outcomes.get(i)).reason());
                }
            }
        });
    }

    private String now() {
        return clock.instant().toString();
    }
}
