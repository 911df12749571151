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
 * commit. The queue and the snapshot come from the leader's {@link ClusterView}, refreshed by the
 * loop; after each commit the next job plans on the snapshot minus what was just committed
 * ({@link ClusterView#committed}), and a commit conflict re-reads the plan's nodes and re-plans. A job that does not fit records why in its events (once per distinct reason), is not
 * tried again until the capacity it saw changes ({@link ClusterSnapshot#fingerprint}), and
 * lower-priority jobs may still backfill. A pass places for at most {@code budgetNanos}, so a long
 * queue never holds up liveness, reconciliation and cancels: the rest waits for the next pass.
 */
public final class QueuePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePlacer.class);
    private static final int COMMIT_TRIES = 3;
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
        for (JobRecord job : queued) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            long seen = view.snapshot().fingerprint();
            Long before = didNotFit.get(job.id());
            if (before != null && before == seen) {
                continue; // the capacity it did not fit into has not changed
            }
            if (placeOne(job, term)) {
                placed++;
            } else {
                didNotFit.put(job.id(), seen);
            }
        }
        return placed;
    }

    /** Tries to place one job; true when it was placed (and the view took its devices). */
    private boolean placeOne(JobRecord job, Term term) {
        for (int attempt = 0; attempt < COMMIT_TRIES; attempt++) {
            ClusterSnapshot snapshot = view.snapshot();
            long start = System.nanoTime();
            PlacementResult result = placer.place(snapshot, job.id(), job.spec(), policy);
            long nanos = System.nanoTime() - start;
            List<String> vetoes = result.chips().stream().filter(c -> c.veto() != null)
                    .map(c -> c.veto().reason()).filter(r -> r != VetoReason.NOT_NEEDED)
                    .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList();
            if (result instanceof Unschedulable u) {
                events.placement(nanos, "unschedulable", vetoes);
                noteWaiting(job, u);
                return false;
            }
            Plan plan = (Plan) result;
            PlanApplier.Outcome outcome = applier.commit(job.id(), job.attempt(), plan, now(), term);
            events.placement(nanos, outcome instanceof PlanApplier.Committed ? "placed" : "conflict", vetoes);
            if (outcome instanceof PlanApplier.Committed c) {
                view.committed(job.id(), plan);
                events.queueWait(Math.max(0, java.time.Duration.between(java.time.Instant.parse(job.submittedAt()),
                        clock.instant()).toMillis() / 1000.0));
                LOG.info("job {} placed: {}", job.id(), c.job().events().get(c.job().events().size() - 1).message());
                return true;
            }
            LOG.info("job {} commit conflict, re-planning: {}", job.id(), ((PlanApplier.Conflict) outcome).reason());
            view.invalidate(plan.shards().stream().map(s -> s.node()).distinct().toList(), List.of(job.id()));
            view.refresh();
            java.util.Optional<JobRecord> fresh = view.job(job.id());
            if (fresh.isEmpty() || fresh.get().state() != JobState.QUEUED || fresh.get().cancelRequested()) {
                return false; // cancelled or changed meanwhile
            }
            job = fresh.get();
        }
        return false;
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
