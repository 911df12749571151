package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.events.SchedulerEvents;

import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.placement.VetoReason;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places queued jobs in {@link io.tessera.scheduler.policy.QueueOrder}: snapshot, {@code place},
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
    private final ClusterStore store;
    private final ClusterView view;
    private final Placer placer;
    private final PlanApplier applier;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final SchedulerEvents events;
    /** How long one pass may spend placing, by default. */
    public static final long DEFAULT_BUDGET_NANOS = 200_000_000L;
    private final long budgetNanos;
    private final java.util.function.LongSupplier nanoTime;
    /** Jobs that did not fit, with the fingerprint of the capacity they saw. */
    private final java.util.Map<String, Long> didNotFit = new java.util.HashMap<>();

    public QueuePlacer(ClusterStore store, ClusterView view, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events) {
        this(store, view, placer, applier, policy, clock, events, DEFAULT_BUDGET_NANOS, System::nanoTime);
    }

    /** With a placing budget per pass and the time source it is measured with. */
    public QueuePlacer(ClusterStore store, ClusterView view, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       Clock clock, SchedulerEvents events, long budgetNanos,
                       java.util.function.LongSupplier nanoTime) {
        this.view = view;
        this.budgetNanos = budgetNanos;
        this.nanoTime = nanoTime;
        this.events = events;
        this.store = store;
        this.placer = placer;
        this.applier = applier;
        this.policy = policy;
        this.clock = clock;
    }

    /** Places what fits of the queue within the budget; returns how many jobs it placed. */
    public int placeQueued(Term term) {
        long deadline = nanoTime.getAsLong() + budgetNanos;
        view.refresh();
        List<JobRecord> queued = view.queued();
        java.util.Set<String> ids = new java.util.HashSet<>();
        queued.forEach(j -> ids.add(j.id()));
        didNotFit.keySet().retainAll(ids);
        int placed = 0;
        ClusterSnapshot working = view.snapshot();
        List<Decision> batch = new java.util.ArrayList<>();
        for (JobRecord job : queued) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            Long before = didNotFit.get(job.id());
            if (before != null && before == working.fingerprint()) {
                continue; // the capacity it did not fit into has not changed
            }
            java.util.Optional<Decision> d = decide(job, working);
            if (d.isEmpty()) {
                didNotFit.put(job.id(), working.fingerprint());
                continue;
            }
            batch.add(d.get());
            working = working.minus(d.get().proposal().plan());
            if (batch.size() == BATCH) {
                placed += commit(batch, term);
                batch.clear();
                working = view.snapshot();
            }
        }
        return placed + commit(batch, term);
    }

    /** How many plans, decided one after another on the snapshot the ones before leave, commit together. */
    static final int BATCH = 16;

    /** A plan to commit, with how long deciding it took and the chip types vetoed on the way (for metrics). */
    private record Decision(PlanApplier.Proposal proposal, long nanos, List<String> vetoes) {
    }

    /** The job's plan on {@code snapshot}, or empty (and why it waits noted) when it does not fit. */
    private java.util.Optional<Decision> decide(JobRecord job, ClusterSnapshot snapshot) {
        long start = System.nanoTime();
        PlacementResult result = placer.place(snapshot, job.id(), job.spec(), policy);
        long nanos = System.nanoTime() - start;
        List<String> vetoes = result.chips().stream().filter(c -> c.veto() != null)
                .map(c -> c.veto().reason()).filter(r -> r != VetoReason.NOT_NEEDED)
                .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList();
        if (result instanceof Unschedulable u) {
            events.placement(nanos, "unschedulable", vetoes);
            noteWaiting(job, u);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Decision(new PlanApplier.Proposal(job.id(), job.attempt(), (Plan) result), nanos,
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
                events.queueWait(Math.max(0, java.time.Duration.between(java.time.Instant.parse(c.job().submittedAt()),
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

    /** Records why the job waits, once per distinct reason: the summary and every chip type's veto. */
    private void noteWaiting(JobRecord job, Unschedulable u) {
        if (u.summary().equals(job.waitingReason())) {
            return;
        }
        String detail = u.summary() + (u.chips().isEmpty() ? "" : "; per chip type: " + u.chips().stream()
                .map(c -> c.veto().toString()).distinct().collect(java.util.stream.Collectors.joining("; ")));
        store.updateJob(job.id(), cur -> cur.state() != JobState.QUEUED || u.summary().equals(cur.waitingReason()) ? cur
                : cur.withWaitingReason(u.summary()).withEvent(new JobEvent(now(), "WAITING", detail)));
    }

    private String now() {
        return clock.instant().toString();
    }
}
