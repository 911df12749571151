package io.tessera.scheduler.loop;

import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.events.SchedulerEvents;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.placement.VetoReason;
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
import io.tessera.scheduler.policy.ReservationPolicy;
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
 * {@link #BATCH} plans commit in one transaction ({@link PlanApplier#commitAll}), which re-checks
 * each against live state and the others; a plan that conflicts re-reads its nodes and is planned
 * again on the next pass. A job that does not fit records why in its events (once per distinct reason), is not
 * tried again until the capacity it saw changes ({@link ClusterSnapshot#fingerprint}), and
 * lower-priority jobs may still backfill. A pass places for at most {@code budgetNanos}, so a long
 * queue never holds up liveness, reconciliation and cancels: the rest waits for the next pass.
 */
public final class QueuePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePlacer.class);
    private final ClusterReads store;
    private final ClusterView view;
    private final Placer placer;
    private final PlanApplier applier;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final SchedulerEvents events;
    /** How long one pass may spend placing, by default. */
    public static final long DEFAULT_BUDGET_NANOS = 200_000_000L;
    private final long budgetNanos;
    private final LongSupplier nanoTime;
    /** Jobs that did not fit, with the capacity they saw (shared with the loop's other stages). */
    private final BlockedSet blocked;
    private final Reservations reservations;
    private final WaitingNotes notes;
    /** Each queue's decayed recent use; kept by the leader in memory (a new leader starts afresh). */
    private UsageHistory history;
    private PreemptionClaims claims = new PreemptionClaims(System::currentTimeMillis);

    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events) {
        this(store, view, placer, applier, policy, clock, events, DEFAULT_BUDGET_NANOS, System::nanoTime);
    }

    /** With a placing budget per pass and the time source it is measured with. */
    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events, long budgetNanos, LongSupplier nanoTime) {
        this(store, view, placer, applier, policy, clock, events, budgetNanos, nanoTime, BlockedSet.remembering());
    }

    /** @param blocked the jobs blocked on the capacity they saw, which the loop carries from pass to pass */
    public QueuePlacer(ClusterReads store, ClusterView view, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events, long budgetNanos,
                       LongSupplier nanoTime, BlockedSet blocked) {
        this.blocked = blocked;
        this.view = view;
        this.budgetNanos = budgetNanos;
        this.nanoTime = nanoTime;
        this.events = events;
        this.store = store;
        this.placer = placer;
        this.applier = applier;
        this.policy = policy;
        this.clock = clock;
        this.reservations = new Reservations(store, view, placer, clock);
        this.notes = new WaitingNotes(store, view, placer, clock, blocked);
    }

    /**
     * Places what fits of the queue within the budget, in {@link FairShareOrder} and within each
     * queue's quota ({@link QuotaPolicy}); returns how many jobs it placed.
     */
    public int placeQueued(Term term) {
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
        history = history == null ? UsageHistory.start(clock.millis(), UsageHistory.DEFAULT_HALF_LIFE_MS)
                : history.advance(held, clock.millis());
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
        Pass pass = new Pass(queues, order, reserved, heads, working);
        int placed = 0;
        List<Decision> batch = new ArrayList<>();
        for (Optional<JobRecord> next = order.next(); next.isPresent(); next = order.next()) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            Optional<Decision> d = offer(next.get(), pass);
            if (d.isEmpty()) {
                continue;
            }
            batch.add(d.get());
            pass.working = pass.working.minus(d.get().proposal().plan());
            if (batch.size() == BATCH) {
                placed += commit(batch, term);
                batch.clear();
                pass.working = view.snapshot();
            }
            pass.pending = pendingDevices(batch);
        }
        placed += commit(batch, term);
        List<Change> notes = new ArrayList<>(this.notes.drain()); // waiting reasons and estimated starts: one commit
        reservations.publish(reserved).ifPresent(notes::add);
        applier.commit(term, now(), notes);
        inForce = List.copyOf(reserved);
        return placed;
    }

    /**
     * What one pass carries from job to job. The capacity left ({@code working}) changes as plans
     * are decided; {@code pending} holds the devices of the decided plans not yet committed, which a
     * reservation worked out now must not count on.
     */
    private static final class Pass {
        final Map<String, QueueSpec> queues;
        final FairShareOrder order;
        final List<Reservation> reserved;
        final Set<String> heads;
        ClusterSnapshot working;
        Map<String, Set<Integer>> pending = Map.of();

        Pass(Map<String, QueueSpec> queues, FairShareOrder order, List<Reservation> reserved, Set<String> heads,
             ClusterSnapshot working) {
            this.queues = queues;
            this.order = order;
            this.reserved = reserved;
            this.heads = heads;
            this.working = working;
        }
    }

    /**
     * Offers {@code job} the capacity left in {@code p}: its plan, counted against its queue and with
     * its reservation spent, or empty with why it waits noted (restart backoff, its queue's quota,
     * no fit, another job's reservation).
     */
    private Optional<Decision> offer(JobRecord job, Pass p) {
        long notBefore = RestartBackoffPolicy.notBeforeMs(job, backoff);
        if (notBefore > clock.millis()) {
            notes.waiting(job, new Waiting(WaitKind.RESTART_BACKOFF, "restart backoff until " + Instant.ofEpochMilli(notBefore)), "restart "
                    + job.restarts() + " of " + job.spec().restartLimit() + " backs off until "
                    + Instant.ofEpochMilli(notBefore) + " (limits.restartBackoff)");
            return Optional.empty();
        }
        boolean head = p.heads.contains(job.id()) || reservations.holds(job.id());
        // A job that did not fit waits on the capacity; a queue's head also on when the jobs it would wait for
        // end, which every progress report moves, so a head is planned every pass (its reservation is renewed).
        // Regression (BlockedSetPropertyTest): skipping heads on an unchanged capacity, a job that became its
        // queue's head got no reservation, and a reserved one was not renewed earlier when its blockers' ends
        // moved earlier, so smaller jobs backfilled ahead of it.
        long waitsOn = p.working.fingerprint();
        if (!head && blocked.triedOn(BlockedSet.Trial.PLACEMENT, job.id(), waitsOn)
                && reservations.due(job.id(), p.working).isEmpty()) {
            return Optional.empty(); // the capacity it did not fit into has not changed, and no reservation of its is due
        }
        QueueSpec queue = QueueUsage.spec(p.queues, job.spec().queue());
        if (QuotaPolicy.headroom(queue, p.queues, p.order.usage()) <= 1e-9) {
            notes.waiting(job, new Waiting(WaitKind.QUEUE_AT_QUOTA, "queue " + queue.name() + " is at its quota"), "queue " + queue.name()
                    + " holds all the normalized TFLOPS its quota" + (queue.cohort() == null ? "" : " and cohort")
                    + " allow; the job waits until its queue's jobs release capacity");
            return Optional.empty();
        }
        Optional<Decision> d = decide(job, p.working, policyFor(queue), head, p.reserved, p.pending);
        if (d.isEmpty()) {
            blocked.tried(BlockedSet.Trial.PLACEMENT, job.id(), waitsOn);
            return Optional.empty();
        }
        Optional<Reservation> delayed = delays(job, d.get().proposal().plan(), p.reserved);
        if (delayed.isPresent()) {
            d = beside(job, p.working, policyFor(queue), p.reserved, d.get().proposal().plan());
        }
        if (d.isEmpty()) {
            notes.waiting(job, new Waiting(WaitKind.BEHIND_RESERVATION, "behind the reservation of " + delayed.get().jobId()),
                    "starting now would delay job "
                    + delayed.get().jobId() + ", which holds a reservation from " + Instant.ofEpochMilli(
                    delayed.get().startAtMs()) + "; it backfills once it fits beside that or ends before it"
                    + " (scheduling.steps tells how long it runs)");
            return Optional.empty();
        }
        QuotaCharge charge = QuotaCharge.of(d.get().proposal().plan(), p.working.catalog());
        if (QuotaPolicy.admit(queue, p.queues, p.order.usage(), charge) instanceof QuotaPolicy.Admission.Refuse r) {
            notes.waiting(job, new Waiting(WaitKind.OVER_QUOTA, "over quota: " + r.field()), r.reason());
            return Optional.empty();
        }
        p.order.placed(job, charge);
        if (p.reserved.removeIf(r -> r.jobId().equals(job.id()))) { // placed: its reservation is spent
            claims.startedOnReservation(job.id());
        }
        return d;
    }

    private Optional<Reservation> delays(JobRecord job, Plan plan, List<Reservation> reserved) {
        return ReservationPolicy.delays(job.id(), plan, Reservations.runSec(job, plan), clock.millis(), reserved);
    }

    /**
     * A plan for {@code job} beside the reservations its best plan would delay: without the devices
     * of every reservation it would not end before (backfill that fits beside them). A job that
     * preempted is held to this too, so its victims' devices, not a reserved gang's, make its room.
     */
    private Optional<Decision> beside(JobRecord job, ClusterSnapshot working, PlacementPolicy jobPolicy,
                                      List<Reservation> reserved, Plan best) {
        long start = System.nanoTime();
        return KeptReservations.beside(placer, working, job, jobPolicy, reserved, clock.millis(), best).map(plan ->
                new Decision(new PlanApplier.Proposal(job.id(), job.attempt(), plan), System.nanoTime() - start, List.of()));
    }

    /** The devices of {@code batch}'s plans, decided and not yet committed. */
    private static Map<String, Set<Integer>> pendingDevices(List<Decision> batch) {
        Map<String, Set<Integer>> out = new HashMap<>();
        for (Decision d : batch) {
            d.proposal().plan().shards().forEach(s -> out.computeIfAbsent(s.node(), k -> new HashSet<>()).addAll(s.devices()));
        }
        return out;
    }

    /** The reservations in force after the last pass, for the preemptor and growth to keep. */
    public List<Reservation> reservationsInForce() {
        return inForce;
    }

    private volatile List<Reservation> inForce = List.of();

    /** Each queue's decayed recent use as of the last pass (null before the first). */
    public UsageHistory usageHistory() {
        return history;
    }

    private LimitsConfig.RestartBackoff backoff = LimitsConfig.RestartBackoff.DEFAULT;

    /** How long a failed gang waits before its next attempt ({@link RestartBackoffPolicy}). */
    public QueuePlacer withRestartBackoff(LimitsConfig.RestartBackoff value) {
        this.backoff = value;
        return this;
    }

    /** Shares the preemptor's claims: jobs that preempted are offered capacity first. */
    public QueuePlacer withClaims(PreemptionClaims shared) {
        this.claims = shared;
        return this;
    }

    /** The placement policy for a job of {@code queue}: the queue's vendor cap, where it sets one. */
    private PlacementPolicy policyFor(QueueSpec queue) {
        return queue.maxVendorShare() == null ? policy : new PlacementPolicy(queue.maxVendorShare(),
                policy.defaultMinVendors(), policy.memoryHeadroom(), policy.network(), policy.throughput());
    }

    /** How many plans, decided one after another on the snapshot the ones before leave, commit together. */
    static final int BATCH = 16;

    /** A plan to commit, with how long deciding it took and the chip types vetoed on the way (for metrics). */
    private record Decision(PlanApplier.Proposal proposal, long nanos, List<String> vetoes) {
    }

    /**
     * The job's plan on {@code snapshot}, or empty (and why it waits noted) when it does not fit.
     *
     * @param head whether the job is its queue's first, or already holds a reservation: if it does
     *             not fit, it gets (or keeps) one, added to {@code reserved}
     * @param pending devices this pass has decided on but not committed: a reservation never counts on them
     */
    private Optional<Decision> decide(JobRecord job, ClusterSnapshot snapshot, PlacementPolicy jobPolicy, boolean head,
                                      List<Reservation> reserved, Map<String, Set<Integer>> pending) {
        long start = System.nanoTime();
        PlacementResult result = placer.place(snapshot, job.id(), job.spec(), jobPolicy);
        long nanos = System.nanoTime() - start;
        List<String> vetoes = result.chips().stream().filter(c -> c.veto() != null)
                .map(c -> c.veto().reason()).filter(r -> r != VetoReason.NOT_NEEDED)
                .map(r -> r.name().toLowerCase(Locale.ROOT)).toList();
        Optional<Plan> promised = result instanceof Unschedulable ? reservations.due(job.id(), snapshot) : Optional.empty();
        if (promised.isPresent()) { // its reservation's time has come and its devices are free: the promise is kept
            return Optional.of(new Decision(new PlanApplier.Proposal(job.id(), job.attempt(), promised.get()), nanos, vetoes));
        }
        if (result instanceof Unschedulable u) {
            events.placement(nanos, "unschedulable", vetoes);
            Reservation mine = null;
            if (head) {
                mine = reservations.blocked(job, snapshot, jobPolicy, reserved, pending).orElse(null);
                if (mine != null) {
                    String id = mine.jobId();
                    reserved.removeIf(r -> r.jobId().equals(id));
                    reserved.add(mine);
                }
            }
            if (mine != null) {
                notes.waiting(job, new Waiting(WaitKind.RESERVED, "reserved: waits for " + mine.waitsFor() + " on " + mine.chips()),
                        "holds a reservation: "
                        + "predicted to start at " + Instant.ofEpochMilli(mine.startAtMs()) + ", when jobs " + mine.waitsFor()
                        + " release their devices on " + mine.chips() + "; smaller jobs backfill only beside it or if they"
                        + " end before it");
            } else {
                notes.unschedulable(job, u, notes.onIdleFleet(job, jobPolicy));
            }
            return Optional.empty();
        }
        return Optional.of(new Decision(new PlanApplier.Proposal(job.id(), job.attempt(), (Plan) result), nanos,
                vetoes));
    }

    /**
     * Commits a batch of plans in one transaction; the view takes what committed at once. A plan
     * that conflicts (its devices were taken, its job cancelled) re-reads its nodes and job, and
     * the job is planned again on the next pass. Returns how many committed.
     */
    private int commit(List<Decision> batch, Term term) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<PlanApplier.Outcome> outcomes = applier.commitAll(batch.stream().map(Decision::proposal).toList(), now(), term);
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
                view.invalidate(p.plan().shards().stream().map(s -> s.node()).distinct().toList(), List.of(p.jobId()));
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
