package io.tessera.scheduler.sim;

import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.Map;

/**
 * One attempt of a job as its simulated workers live it: when it started training, its step time
 * and checkpoint interval, whether it was told to stop, when progress froze (stopped, failed, node
 * down), and the pauses while workers restarted in place or were replaced. Mutable; owned by
 * {@link SimAgents}, single-threaded.
 */
final class SimAttempt {
    final int number;
    /** The attempt's plan; the shard rung moves the lost shards within it. */
    Plan plan;
    /** The rung the gang waits on while it stands still for a rejoin. */
    RecoveryStats.Rung rejoining = RecoveryStats.Rung.PROCESS;
    long startedAtMs = -1;
    double stepSec;
    /** Steps between the workers' checkpoints; 0: they checkpoint only when told to stop. */
    long every;
    boolean stopping;
    /** Progress stopped here (workers stopped, failed or their node went down); -1 while training. */
    long frozenAtMs = -1;
    /** A failure or a lost node: the work since the last periodic checkpoint is lost. */
    boolean lostWork;
    /** Time the gang stood still while workers restarted in place or were replaced: no steps, and nothing lost. */
    long pausedMs;
    /** The gang generation (restarts in place and replacements at this attempt) the workers run at. */
    int generation;
    /** Each shard's incarnation, as the scheduler last assigned it. */
    Map<Integer, Integer> incarnations = Map.of();

    SimAttempt(int number, Plan plan) {
        this.number = number;
        this.plan = plan;
    }

    /** Training time of this attempt up to {@code untilMs}: since it started, less its pauses. */
    long trainedMs(long untilMs) {
        return Math.max(0, untilMs - startedAtMs - pausedMs);
    }
}
