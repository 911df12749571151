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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places queued jobs in order (priority, then submission): snapshot, {@code place}, commit.
 * One snapshot serves the whole queue until a commit changes capacity; a commit conflict re-plans
 * on a fresh snapshot; a job that does not fit records why in its events (once per distinct
 * reason) and lower-priority jobs may still backfill.
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

    public QueuePlacer(ClusterStore store, Placer placer, PlanApplier applier, PlacementPolicy policy,
                       ChipCatalog catalog, Clock clock, SchedulerEvents events) {
        this.events = events;
        this.store = store;
        this.placer = placer;
        this.applier = applier;
        this.policy = policy;
        this.catalog = catalog;
        this.clock = clock;
    }

    public void placeQueued(Term term) {
        List<JobRecord> queued = store.jobs().stream()
                .filter(j -> j.state() == JobState.QUEUED && !j.cancelRequested())
                .sorted(Comparator.comparingInt((JobRecord j) -> -j.spec().priority()).thenComparingLong(JobRecord::seq))
                .toList();
        ClusterSnapshot snapshot = queued.isEmpty() ? null : freshSnapshot();
        for (JobRecord job : queued) {
            if (placeOne(job, term, snapshot)) {
                snapshot = freshSnapshot(); // capacity changed
            }
        }
    }

    private ClusterSnapshot freshSnapshot() {
        return SnapshotBuilder.build(catalog, store.nodes(), store.allAssignments());
    }

    /** Tries to place one job; true when a plan was committed. */
    private boolean placeOne(JobRecord job, Term term, ClusterSnapshot initial) {
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
                return false;
            }
            PlanApplier.Outcome outcome = applier.commit(job.id(), job.attempt(), (Plan) result, now(), term);
            events.placement(nanos, outcome instanceof PlanApplier.Committed ? "placed" : "conflict", vetoes);
            if (outcome instanceof PlanApplier.Committed c) {
                events.queueWait(Math.max(0, java.time.Duration.between(java.time.Instant.parse(job.submittedAt()),
                        clock.instant()).toMillis() / 1000.0));
                LOG.info("job {} placed: {}", job.id(), c.job().events().get(c.job().events().size() - 1).message());
                return true;
            }
            LOG.info("job {} commit conflict, re-planning: {}", job.id(), ((PlanApplier.Conflict) outcome).reason());
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
