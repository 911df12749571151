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
 * reservations of blocked queue heads ({@link Reservations}): snapshot, {@code place},
 * commit. The queue and the snapshot come from the leader's {@link ClusterView}. Each job plans on
 * the snapshot minus the plans decided before it ({@link ClusterSnapshot#minus}), and up to
 * {@link #BATCH} plans are handed to the loop together ({@link Committer}), which commits them in
 * one fenced transaction that re-checks each against live state and the others; a plan that
 * conflicts re-reads its nodes and is planned again on the next pass. The queue pass never holds
 * the applier or the term. Each job passes the {@link AdmissionGate}s in order; one that does not
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
        this.reservations = new Reservations(store, view, placer, clock, memory);
        this.notes = new WaitingNotes(store, view, placer, clock, blocked);
        this.gates = gates(LimitsConfig.RestartBackoff.DEFAULT);
    }

    /**
     * Places what fits of the queue within the budget, in {@link FairShareOrder} and within each
     * queue's quota ({@link QuotaPolicy}); returns how many jobs it placed.
     */
    public int placeQueued(Committer commits) {
        long deadline = nanoTime.getAsLong() + budgetNanos;
        view.refresh();
        notes.newPass();
        List<JobRecord> queued = view.queued();
        Set<String> ids = new HashSet<>();
        queued.forEach(j -> ids.add(j.id()));
        blocked.retain(BlockedSet.Trial.PLACEMENT, ids);
        notes.retain(ids);
        Map<String, QueueSpec> queues = store.queues();
        ClusterSnapshot working = view.snapshot();
        QueueUsage held = QueueUsage.of(view.jobs(), working.catalog());
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
        QueuePass pass = new QueuePass(queues, order, reserved, heads, working, clock.millis());
        Set<String> placedIds = new HashSet<>();
        int placed = 0;
        List<PlacementDecision> batch = new ArrayList<>();
        for (Optional<JobRecord> next = order.next(); next.isPresent(); next = order.next()) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            Optional<PlacementDecision> d = offer(next.get(), pass);
            if (d.isEmpty()) {
                continue;
            }
            batch.add(d.get());
            placedIds.add(next.get().id());
            pass.working = pass.working.minus(d.get().plan());
            if (batch.size() == BATCH) {
                placed += commit(batch, commits);
                batch.clear();
                pass.working = view.snapshot();
            }
            pass.pending = pendingDevices(batch);
        }
        placed += commit(batch, commits);
        List<Change> notes = new ArrayList<>(this.notes.drain()); // waiting reasons and estimated starts: one commit
        List<Reservation> starts = new ArrayList<>(reserved);
        starts.addAll(reservations.estimates(queued, placedIds, pass.working, reserved,
                j -> policyFor(QueueUsage.spec(queues, j.spec().queue()))));
        reservations.publish(starts).ifPresent(notes::add);
        commits.commit(StageDecision.of(notes, outcomes -> { }));
        memory.inForce = List.copyOf(reserved);
        return placed;
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
            held(c, gate, v);
            return Optional.empty();
        }
        p.order.placed(job, QuotaCharge.of(d.plan(), p.working.catalog()));
        if (p.reserved.removeIf(r -> r.jobId().equals(job.id()))) { // placed: its reservation is spent
            claims.startedOnReservation(job.id());
        }
        return Optional.of(d);
    }

    /** Notes why a gate held {@code c}, and counts it. */
    private void held(Candidate c, AdmissionGate gate, GateVerdict v) {
        if (v instanceof GateVerdict.Wait w) {
            notes.waiting(c.job(), w.why(), w.detail());
            events.admissionWait(gate.name(), w.kind().name().toLowerCase(Locale.ROOT));
        } else if (v instanceof GateVerdict.Unfit u) {
            Optional<Unschedulable> idle = notes.onIdleFleet(c.job(), c.policy());
            notes.unschedulable(c.job(), u.result(), idle);
            events.admissionWait(gate.name(), (idle.isEmpty() ? WaitKind.NO_FIT : WaitKind.NEVER_FITS).name()
                    .toLowerCase(Locale.ROOT));
        }
    }

    /** The devices of {@code batch}'s plans, decided and not yet committed. */
    private static Map<String, Set<Integer>> pendingDevices(List<PlacementDecision> batch) {
        Map<String, Set<Integer>> out = new HashMap<>();
        for (PlacementDecision d : batch) {
            d.proposal().plan().shards().forEach(s -> out.computeIfAbsent(s.node(), k -> new HashSet<>()).addAll(s.devices()));
        }
        return out;
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

    /** How many plans, decided one after another on the snapshot the ones before leave, commit together. */
    static final int BATCH = 16;

    /**
     * Commits a batch of plans in one transaction; the view takes what committed at once. A plan
     * that conflicts (its devices were taken, its job cancelled) re-reads its nodes and job, and
     * the job is planned again on the next pass. Returns how many committed.
     */
    private int commit(List<PlacementDecision> batch, Committer commits) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<PlanApplier.Outcome> outcomes = commits.commit(StageDecision.of(batch.stream().map(d -> new Change.Place(
                d.proposal().jobId(), d.proposal().attempt(), d.plan())).toList(), o -> { }));
        int placed = 0;
        for (int i = 0; i < batch.size(); i++) {
            PlanApplier.Proposal p = batch.get(i).proposal();
            boolean committed = outcomes.get(i) instanceof PlanApplier.Committed;
            events.placement(batch.get(i).nanos(), committed ? "placed" : "conflict", batch.get(i).vetoes());
            if (outcomes.get(i) instanceof PlanApplier.Committed c) {
                placed++;
                view.committed(p.jobId(), p.plan());
                events.queueWait(c.job().spec().queue(), Math.max(0, Duration.between(Instant.parse(c.job().submittedAt()),
                        clock.instant()).toMillis() / 1000.0));
                LOG.info("job {} placed: {}", p.jobId(), c.job().events().get(c.job().events().size() - 1).message());
            } else {
                LOG.info("job {} commit conflict, re-planning: {}", p.jobId(), ((PlanApplier.Conflict) outcomes.get(i)).reason());
                view.invalidate(Change.nodesOf(new Change.Place(p.jobId(), p.attempt(), p.plan())), List.of(p.jobId()));
            }
        }
        if (placed < batch.size()) {
            view.refresh();
        }
        return placed;
    }

    private String now() {
        return clock.instant().toString();
    }
}
