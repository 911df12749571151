package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.events.SchedulerEvents;

import io.tessera.config.ChipCatalog;
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
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.SnapshotBuilder;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places queued jobs in order (priority, then submission): snapshot, {@code place}, commit.
 * State is read once per pass; after each commit the next job plans on the snapshot minus what was
 * just committed ({@link ClusterSnapshot#minus}), and a commit conflict re-plans on a fresh
 * snapshot. A job that does not fit records why in its events (once per distinct reason), is not
 * tried again until the capacity it saw changes ({@link ClusterSnapshot#fingerprint}), and
 * lower-priority jobs may still backfill. A pass places for at most {@code budgetNanos}, so a long
 * queue never holds up liveness, reconciliation and cancels: the rest waits for the next pass.
 */
public final class QueuePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePlacer.class);
    private static final int COMMIT_TRIES = 3;
    private final ClusterStore store;
    private final Placer placer;
    private final PlanApplier applier;
    private final PlacementPolicy policy;
    private final ChipCatalog catalog;
    private final Clock clock;
    private final SchedulerEvents events;
    /** How long one pass may spend placing, by default. */
    public static final long DEFAULT_BUDGET_NANOS = 200_000_000L;
    private final long budgetNanos;
    private final java.util.function.LongSupplier nanoTime;
    /** Jobs that did not fit, with the fingerprint of the capacity they saw. */
    private final java.util.Map<String, Long> didNotFit = new java.util.HashMap<>();

    public QueuePlacer(ClusterStore store, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       ChipCatalog catalog, Clock clock, SchedulerEvents events) {
        this(store, placer, applier, policy, catalog, clock, events, DEFAULT_BUDGET_NANOS, System::nanoTime);
    }

    /** With a placing budget per pass and the time source it is measured with. */
    public QueuePlacer(ClusterStore store, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       ChipCatalog catalog, Clock clock, SchedulerEvents events, long budgetNanos,
                       java.util.function.LongSupplier nanoTime) {
        this.budgetNanos = budgetNanos;
        this.nanoTime = nanoTime;
        this.events = events;
        this.store = store;
        this.placer = placer;
        this.applier = applier;
        this.policy = policy;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** Places what fits of the queue within the budget; returns how many jobs it placed. */
    public int placeQueued(Term term) {
        long deadline = nanoTime.getAsLong() + budgetNanos;
        List<JobRecord> queued = store.jobs().stream()
                .filter(j -> j.state() == JobState.QUEUED && !j.cancelRequested())
                .sorted(Comparator.comparingInt((JobRecord j) -> -j.spec().priority()).thenComparingLong(JobRecord::seq))
                .toList();
        java.util.Set<String> ids = new java.util.HashSet<>();
        queued.forEach(j -> ids.add(j.id()));
        didNotFit.keySet().retainAll(ids);
        ClusterSnapshot snapshot = queued.isEmpty() ? null : freshSnapshot();
        int placed = 0;
        for (JobRecord job : queued) {
            if (nanoTime.getAsLong() >= deadline) {
                break; // the rest of the queue waits for the next pass
            }
            Long before = didNotFit.get(job.id());
            if (before != null && before == snapshot.fingerprint()) {
                continue; // the capacity it did not fit into has not changed
            }
            ClusterSnapshot tried = snapshot;
            Optional<ClusterSnapshot> after = placeOne(job, term, snapshot);
            if (after.isPresent()) {
                snapshot = after.get();
                placed++;
            } else {
                didNotFit.put(job.id(), tried.fingerprint());
            }
        }
        return placed;
    }

    private ClusterSnapshot freshSnapshot() {
        return SnapshotBuilder.build(catalog, store.nodes(), store.allAssignments());
    }

    /** Tries to place one job; the snapshot left after its commit, or empty when it was not placed. */
    private Optional<ClusterSnapshot> placeOne(JobRecord job, Term term, ClusterSnapshot initial) {
        ClusterSnapshot snapshot = initial;
        for (int attempt = 0; attempt < COMMIT_TRIES; attempt++) {
            if (attempt > 0) {
                snapshot = freshSnapshot();
            }
            long start = System.nanoTime();
            PlacementResult result = placer.place(snapshot, job.id(), job.spec(), policy);
            long nanos = System.nanoTime() - start;
            List<String> vetoes = result.chips().stream().filter(c -> c.veto() != null)
                    .map(c -> c.veto().reason()).filter(r -> r != VetoReason.NOT_NEEDED)
                    .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList();
            if (result instanceof Unschedulable u) {
                events.placement(nanos, "unschedulable", vetoes);
                noteWaiting(job, u);
                return Optional.empty();
            }
            PlanApplier.Outcome outcome = applier.commit(job.id(), job.attempt(), (Plan) result, now(), term);
            events.placement(nanos, outcome instanceof PlanApplier.Committed ? "placed" : "conflict", vetoes);
            if (outcome instanceof PlanApplier.Committed c) {
                events.queueWait(Math.max(0, java.time.Duration.between(java.time.Instant.parse(job.submittedAt()),
                        clock.instant()).toMillis() / 1000.0));
                LOG.info("job {} placed: {}", job.id(), c.job().events().get(c.job().events().size() - 1).message());
                return Optional.of(snapshot.minus((Plan) result));
            }
            LOG.info("job {} commit conflict, re-planning: {}", job.id(), ((PlanApplier.Conflict) outcome).reason());
        }
        return Optional.empty();
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
