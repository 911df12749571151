package io.tessera.scheduler.loop;

import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.leader.Leadership;

import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.PlanApplier;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduling passes on one dedicated thread, on the leader only. A pass refreshes the
 * leader's {@link ClusterView} with what changed and reads it once into a {@link CycleState};
 * then each stage decides on the state the stages before it leave ({@link CycleResult}): declare
 * silent nodes lost, advance the lifecycles of the jobs whose inputs changed, place queued jobs,
 * preempt for a waiting head, grow and re-split running jobs, move finished ones to the history,
 * sample the fleet. The whole pass's decisions, typed {@code Change}s, are written at its end in
 * one transaction through the one {@link PlanApplier}, fenced by this member's {@link Term}: once
 * another member claims a later term, nothing this loop decides lands. The stages remember only through the
 * {@link CycleMemory}, which a new term forgets. A new term rebuilds the view from the
 * store, and so does every {@link #RESYNC_MS} as a safety net. A failing pass is logged and the
 * next one runs.
 */
public final class SchedulingLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingLoop.class);
    /** How often the leader rebuilds its view from the store even though every change was told. */
    public static final long RESYNC_MS = 300_000;
    private long resyncMs = RESYNC_MS;
    private final Leadership leadership;
    private final ClusterView view;
    private final Clock clock;
    private long resyncedAt;
    private final NodeLivenessSweep liveness;
    private final PlanApplier applier;
    private final JobReconciler reconciler;
    private final QueuePlacer placer;
    private final ElasticGrowth growth;
    private final Supplier<Term> claim;
    /** What passes carry to the next: the only memory of the loop, forgotten on a new term. */
    private final CycleMemory memory;
    private HistoryMover historyMover;
    private FleetSampler fleetSampler;
    private Preemptor preemptor;
    private Rebalancer rebalancer;
    private Runnable beforePass = () -> { };
    private Term term;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-scheduling-loop");
        t.setDaemon(true);
        return t;
    });

    /** @param claim claims a new leadership term (a new fencing epoch) when this member becomes leader */
    public SchedulingLoop(Leadership leadership, ClusterView view, Clock clock, PlanApplier applier,
                          NodeLivenessSweep liveness,
                          JobReconciler reconciler, QueuePlacer placer, ElasticGrowth growth,
                          Supplier<Term> claim, CycleMemory memory) {
        this.memory = memory;
        this.view = view;
        this.applier = applier;
        this.clock = clock;
        this.growth = growth;
        this.claim = claim;
        this.leadership = leadership;
        this.liveness = liveness;
        this.reconciler = reconciler;
        this.placer = placer;
    }

    /** Also preempts for waiting jobs after each queue pass ({@link Preemptor}). */
    public SchedulingLoop withPreemption(Preemptor p) {
        this.preemptor = p;
        return this;
    }

    /**
     * Rebuilds the view every {@code ms} rather than every {@link #RESYNC_MS}. The simulator's
     * in-memory store tells every change synchronously, so it does not need the safety net.
     */
    public SchedulingLoop withResyncEvery(long ms) {
        this.resyncMs = ms;
        return this;
    }

    /** The term this member leads under, if it has claimed one (it is fenced once another member claims a later one). */
    public Optional<Term> term() {
        return Optional.ofNullable(term);
    }

    /** What the passes carry from one to the next. */
    public CycleMemory memory() {
        return memory;
    }

    /** The preemption stage, if there is one. */
    public Optional<Preemptor> preemptor() {
        return Optional.ofNullable(preemptor);
    }

    /** Also re-splits running gangs by measured speed, and learns from them, after each pass. */
    public SchedulingLoop withRebalancing(Rebalancer r) {
        this.rebalancer = r;
        return this;
    }

    /**
     * Runs {@code hook} at the start of each pass, on every member, leader or not (the learned
     * throughput's refresh: on the loop thread, between placements).
     */
    public SchedulingLoop withBeforePass(Runnable hook) {
        this.beforePass = hook;
        return this;
    }

    /** Also samples the fleet's use per vendor into its kept series, once a minute. */
    public SchedulingLoop withFleetSampling(FleetSampler sampler) {
        this.fleetSampler = sampler;
        return this;
    }

    /** Also moves finished jobs to the history after each pass. */
    public SchedulingLoop withHistory(HistoryMover mover) {
        this.historyMover = mover;
        return this;
    }

    private long intervalMs;
    private ScheduledFuture<?> next;
    private boolean woken;
    private boolean closed;

    /**
     * Runs passes on the loop thread, one at a time: the next one at once when this one placed
     * something (more may be waiting; each pass is bounded by the placer's budget), else after
     * {@code intervalMs}, or at once when {@link #wake} says a job arrived.
     */
    public synchronized void start(long intervalMs) {
        this.intervalMs = intervalMs;
        next = thread.schedule(this::run, 0, TimeUnit.MILLISECONDS);
    }

    /** A job was submitted (on any member): run a pass now rather than at the next interval. */
    public synchronized void wake() {
        if (next == null || closed) {
            return;
        }
        if (next.getDelay(TimeUnit.MILLISECONDS) > 0 && next.cancel(false)) {
            next = thread.schedule(this::run, 0, TimeUnit.MILLISECONDS);
        } else {
            woken = true; // a pass is running now; the one after it starts at once
        }
    }

    private void run() {
        boolean busy = passSafely();
        synchronized (this) {
            if (closed) {
                return;
            }
            long delay = busy || woken ? 0 : intervalMs;
            woken = false;
            next = thread.schedule(this::run, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** One pass; public so tests can drive the loop deterministically. True when it placed a job. */
    public boolean pass() {
        beforePass.run(); // on every member: its dry runs see what the leader learned
        if (!leadership.isLeader()) {
            term = null;
            return false;
        }
        if (term == null) {
            term = claim.get();
            memory.forget(); // nothing decided under an earlier term is trusted
            view.rebuild(); // the new leader starts from the durable truth
            resyncedAt = clock.millis();
            LOG.info("this member leads the scheduling loop (fencing epoch {})", term.epoch());
        } else if (clock.millis() - resyncedAt >= resyncMs) {
            view.rebuild();
            resyncedAt = clock.millis();
        }
        view.refresh(); // the pass starts from what changed since the last one, read once
        CycleResult result = new CycleResult(CycleState.of(view, view.takeJobsToReconcile()));
        result.add(liveness.sweep(term, memory, result.state())); // silent nodes become LOST first
        result.add(reconciler.reconcile(result.state())); // so lifecycles see them; finished jobs free their devices
        result.add(placer.place(result.state())); // then the freed capacity is offered to the queue
        if (preemptor != null) {
            result.add(preemptor.preempt(result.state())); // a waiting head only preemption can seat: its victims stop
        }
        result.add(growth.grow(result.state())); // what the queue left may grow running elastic jobs
        if (rebalancer != null) {
            result.add(rebalancer.rebalance(result.state())); // running gangs re-split by what their shards measured
        }
        if (historyMover != null) {
            result.add(historyMover.moveFinished(result.state())); // finished jobs leave hot state after their grace
        }
        if (fleetSampler != null) {
            result.add(fleetSampler.sample(result.state())); // the fleet's use, for the console's history
        }
        StageDecision all = result.decision();
        List<PlanApplier.Outcome> outcomes = committed(all); // the whole pass: one fenced commit
        observer.accept(result, outcomes);
        return QueuePlacer.placed(all.changes(), outcomes) > 0;
    }

    private BiConsumer<CycleResult, List<PlanApplier.Outcome>> observer = (result, outcomes) -> { };

    /** Tells {@code observer} of each pass's result and its commit's outcomes, on the loop's thread (tests). */
    public SchedulingLoop withCycleObserver(BiConsumer<CycleResult, List<PlanApplier.Outcome>> observer) {
        this.observer = observer;
        return this;
    }

    /**
     * Commits one decision through the applier under this member's term; every key a change names
     * whose outcome the view cannot take as decided (a conflict, a node loss) is re-read at the
     * next refresh, so the next cycle starts from what is there (nothing is retried as it was).
     */
    private List<PlanApplier.Outcome> committed(StageDecision d) {
        List<PlanApplier.Outcome> outcomes = d.commit(applier, term, clock.instant().toString());
        tell(view, d.changes(), outcomes);
        return outcomes;
    }

    /**
     * Tells {@code view} what a commit did: a committed plan's devices are taken at once (its nodes
     * and job re-read at the next refresh); a conflict's or a node loss's keys are re-read.
     */
    static void tell(ClusterView view, List<Change> changes, List<PlanApplier.Outcome> outcomes) {
        for (int i = 0; i < outcomes.size(); i++) {
            Change c = changes.get(i);
            if (outcomes.get(i) instanceof PlanApplier.Committed && c instanceof Change.Place p) {
                view.committed(p.jobId(), p.plan());
            } else if (outcomes.get(i) instanceof PlanApplier.Conflict || c instanceof Change.NodeLost) {
                view.invalidate(Change.nodesOf(c), Change.jobsOf(c));
            }
        }
    }

    /**
     * Commits {@code d} under this member's term: a stage's decision, or one made outside the
     * stages (the simulator's injected preemptions), on the loop's thread. A member that has not
     * claimed a term (it does not lead) refuses.
     */
    public List<PlanApplier.Outcome> commit(StageDecision d) {
        if (term == null) {
            throw new IllegalStateException("this member does not lead the scheduling loop");
        }
        return committed(d);
    }

    private boolean passSafely() {
        try {
            return pass();
        } catch (RuntimeException e) {
            boolean closing;
            synchronized (this) {
                closing = closed;
            }
            if (interruptedByClose(closing, e)) {
                LOG.info("scheduling pass stopped by shutdown: {}", e.toString());
            } else {
                LOG.error("scheduling pass failed; retrying next interval", e);
            }
            return false;
        }
    }

    /**
     * Whether a pass failed only because the loop is closing: {@link #close} interrupts the loop
     * thread, and a state-store call it was in throws (Hazelcast wraps the interrupt). Regression:
     * a SIGTERM during a pass logged that as an ERROR (CleanShutdownTest, in CI).
     */
    static boolean interruptedByClose(boolean closing, Throwable e) {
        if (!closing) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
