package io.tessera.scheduler.loop;

import io.tessera.config.LimitsConfig;
import java.util.Locale;
import io.tessera.config.ElasticConfig;
import io.tessera.config.PreemptionConfig;
import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.leader.Leadership;
import io.tessera.scheduler.leader.Term;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.JobHistory;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Wires the scheduling loop's stages (liveness, lifecycles, the queue pass, preemption, elastic
 * growth, history) in one place, so the live scheduler and {@code tessera simulate} run the same
 * classes in the same order; only the clock, the store and the leadership differ.
 *
 * @param store      cluster state
 * @param view       the leader's indexed view of it
 * @param placer     the placement search
 * @param policy     cluster placement settings
 * @param clock      wall time (live) or virtual time (simulation)
 * @param events     where the loop reports what it did (metrics)
 * @param elastic    growth settings
 * @param history    where finished jobs go
 * @param terminalGraceMs how long a finished job stays in hot state
 * @param retentionMs how long the history keeps it
 * @param restartBackoff how long a failed gang waits before its next attempt
 * @param preemption how preemption ranks its victims
 */
public record LoopAssembly(ClusterStore store, ClusterView view, Placer placer,
                           PlacementPolicy policy, Clock clock, SchedulerEvents events, ElasticConfig elastic,
                           JobHistory history, long terminalGraceMs, long retentionMs,
                           LimitsConfig.RestartBackoff restartBackoff, PreemptionConfig preemption) {

    /** With the default preemption settings. */
    public LoopAssembly(ClusterStore store, ClusterView view, Placer placer,
                        PlacementPolicy policy, Clock clock, SchedulerEvents events, ElasticConfig elastic,
                        JobHistory history, long terminalGraceMs, long retentionMs,
                        LimitsConfig.RestartBackoff restartBackoff) {
        this(store, view, placer, policy, clock, events, elastic, history, terminalGraceMs, retentionMs,
                restartBackoff, PreemptionConfig.DEFAULT);
    }

    /** With the default restart backoff. */
    public LoopAssembly(ClusterStore store, ClusterView view, Placer placer,
                        PlacementPolicy policy, Clock clock, SchedulerEvents events, ElasticConfig elastic,
                        JobHistory history, long terminalGraceMs, long retentionMs) {
        this(store, view, placer, policy, clock, events, elastic, history, terminalGraceMs, retentionMs,
                LimitsConfig.RestartBackoff.DEFAULT);
    }

    /**
     * The loop, with the queue pass limited to {@code budgetNanos} per pass as measured by
     * {@code nanoTime} (the simulator passes an unlimited budget, so a pass does not depend on
     * how fast the machine is).
     */
    public SchedulingLoop loop(Leadership leadership, NodeLivenessSweep liveness, Supplier<Term> claim,
                               long budgetNanos, LongSupplier nanoTime) {
        return loop(leadership, liveness, claim, budgetNanos, nanoTime, BlockedSet.remembering());
    }

    /**
     * The loop, with {@code blocked} as the one memory of which jobs need not be tried again until
     * the fleet changes ({@link BlockedSet#forgetting()} tries every job on every pass).
     */
    public SchedulingLoop loop(Leadership leadership, NodeLivenessSweep liveness, Supplier<Term> claim,
                               long budgetNanos, LongSupplier nanoTime, BlockedSet blocked) {
        PlanApplier applier = applier();
        CycleMemory memory = new CycleMemory(blocked, view, clock);
        QueuePlacer queuePass = new QueuePlacer(store, view, placer, policy, clock, events, budgetNanos, nanoTime,
                memory).withRestartBackoff(restartBackoff);
        SchedulingLoop loop = new SchedulingLoop(leadership, view, clock, applier, liveness,
                new JobReconciler(store, view, clock).withNetwork(policy.network()), queuePass,
                new ElasticGrowth(store, view, placer, policy, clock, elastic, memory), claim, memory);
        loop.withPreemption(new Preemptor(store, view, placer, policy, clock, events, memory)
                .withConfig(preemption));
        loop.withHistory(new HistoryMover(store, view, clock, terminalGraceMs, retentionMs, memory));
        loop.withFleetSampling(new FleetSampler(view, clock, memory));
        loop.withRebalancing(new Rebalancer(store, view, policy.memoryHeadroom(), clock, elastic, memory)
                .withObserver(new ProfileLearner(store, view.catalog(), elastic.learningRate(), clock, memory)));
        return loop;
    }

    /**
     * The one commit path of the loop: every change its stages decide is written through it, fenced
     * by the leader's term, and each outcome is reported to {@code events}.
     */
    public PlanApplier applier() {
        return new PlanApplier(store, view.catalog(), history, (kind, outcome) -> events.leaderChange(
                kind.name().toLowerCase(Locale.ROOT), outcome instanceof PlanApplier.Committed ? "applied"
                        : ((PlanApplier.Conflict) outcome).fenced() ? "fenced" : "conflict"), view::sameHost);
    }
}
