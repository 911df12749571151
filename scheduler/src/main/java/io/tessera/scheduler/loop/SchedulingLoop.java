package io.tessera.scheduler.loop;

import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.leader.Leadership;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduling passes on one dedicated thread, on the leader only: declare silent nodes lost,
 * advance job lifecycles, place queued jobs, then grow running elastic jobs onto what is left. A failing pass is logged and the next one runs.
 */
public final class SchedulingLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingLoop.class);
    private final Leadership leadership;
    private final NodeLivenessSweep liveness;
    private final JobReconciler reconciler;
    private final QueuePlacer placer;
    private final ElasticGrowth growth;
    private final java.util.function.Supplier<Term> claim;
    private HistoryMover history;
    private Term term;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-scheduling-loop");
        t.setDaemon(true);
        return t;
    });

    /** @param claim claims a new leadership term (a new fencing epoch) when this member becomes leader */
    public SchedulingLoop(Leadership leadership, NodeLivenessSweep liveness, JobReconciler reconciler,
                          QueuePlacer placer, ElasticGrowth growth, java.util.function.Supplier<Term> claim) {
        this.growth = growth;
        this.claim = claim;
        this.leadership = leadership;
        this.liveness = liveness;
        this.reconciler = reconciler;
        this.placer = placer;
    }

    /** Also moves finished jobs to the history after each pass. */
    public SchedulingLoop withHistory(HistoryMover mover) {
        this.history = mover;
        return this;
    }

    public void start(long intervalMs) {
        thread.scheduleWithFixedDelay(this::passSafely, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One pass; public so tests can drive the loop deterministically. */
    public void pass() {
        if (!leadership.isLeader()) {
            term = null;
            return;
        }
        if (term == null) {
            term = claim.get();
            LOG.info("this member leads the scheduling loop (fencing epoch {})", term.epoch());
        }
        liveness.sweep(term);      // silent nodes become LOST first, so lifecycles see them
        reconciler.reconcileAll(); // finished, failed and cancelled jobs free their devices
        placer.placeQueued(term);  // then the freed capacity is offered to the queue, under this term
        growth.growWhereWorthIt(term); // what the queue left may grow running elastic jobs
        if (history != null) {
            history.moveFinished();    // finished jobs leave hot state after their grace period
        }
    }

    private void passSafely() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.error("scheduling pass failed; retrying next interval", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
