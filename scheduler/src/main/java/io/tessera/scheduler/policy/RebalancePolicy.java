package io.tessera.scheduler.policy;

import java.util.Arrays;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.placement.BatchSplit;
import io.tessera.scheduler.placement.MemoryModel;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a running gang's batch should be re-split by the speed its shards measured, and how.
 *
 * <p>Each shard's compute time per step is its samples per step over its measured samples/s. When
 * those times spread by more than {@code tolerance} of the slowest, the global batch is split again
 * in proportion to the measured rates ({@link BatchSplit}), each part cut into micro-batch x
 * accumulation to fit the chip's memory ({@link MemoryModel}). The answer is no when any shard has
 * not yet measured under the plan's current split (so a re-split is judged only on measurements
 * taken after the previous one, and never for a worker that does not report its split), when the
 * integer split cannot change, or when it would not narrow the spread. Pure.
 */
public final class RebalancePolicy {
    private RebalancePolicy() {
    }

    /**
     * A re-split, and the figures it was decided on.
     *
     * @param plan            the plan with the new split (version + 1); its shards' rates are the measured ones
     * @param spreadBefore    (slowest - fastest) / slowest compute time per step, as measured
     * @param spreadAfter     the same, predicted for the new split from the same measurements
     * @param measuredBefore  the gang's samples/s at the measured rates on the old split: global batch over
     *                        (slowest compute time + the plan's all-reduce time); the new plan's
     *                        {@code predictedSamplesPerSec} is the same figure for the new split
     */
    public record Rebalance(Plan plan, double spreadBefore, double spreadAfter, double measuredBefore) {
    }

    /** The spread of compute times of {@code parts} samples at {@code rates} samples/s, and the slowest time. */
    static double[] spread(long[] parts, double[] rates) {
        double slowest = 0;
        double fastest = Double.MAX_VALUE;
        for (int i = 0; i < parts.length; i++) {
            double t = parts[i] / rates[i];
            slowest = Math.max(slowest, t);
            fastest = Math.min(fastest, t);
        }
        return new double[] {slowest <= 0 ? 0 : (slowest - fastest) / slowest, slowest};
    }

    /** The re-split of {@code plan} that {@code reports} call for, if any. */
    public static Optional<Rebalance> decide(JobSpec job, Plan plan, Map<Integer, ShardReport> reports,
                                             double tolerance, ChipCatalog catalog, double memoryHeadroom) {
        List<ShardPlan> shards = plan.shards();
        if (tolerance <= 0 || shards.size() < 2) {
            return Optional.empty();
        }
        double[] rates = new double[shards.size()];
        long[] parts = new long[shards.size()];
        for (ShardPlan s : shards) {
            ShardReport r = reports.get(s.shard());
            if (r == null || r.split() == null || r.split() != plan.splitVersion() || r.samplesPerSec() == null
                    || !(r.samplesPerSec() > 0)) {
                return Optional.empty();
            }
            rates[s.shard()] = r.samplesPerSec();
            parts[s.shard()] = s.samplesPerStep();
        }
        double[] before = spread(parts, rates);
        if (before[0] <= tolerance) {
            return Optional.empty();
        }
        long[] next = BatchSplit.proportional(job.globalBatch(), rates);
        double[] after = spread(next, rates);
        if (Arrays.equals(next, parts) || after[0] >= before[0]) {
            return Optional.empty();
        }
        List<ShardPlan> resplit = new ArrayList<>();
        for (ShardPlan s : shards) {
            int maxMicro = MemoryModel.maxMicroBatch(catalog.byId(s.chipType()).orElseThrow(), job, s.precision(),
                    memoryHeadroom);
            int[] ma = MemoryModel.microAndAccumulation(next[s.shard()], Math.max(1, maxMicro));
            resplit.add(new ShardPlan(s.shard(), s.node(), s.nodeAddress(), s.chipType(), s.vendor(), s.devices(),
                    s.precision(), ma[0], ma[1], rates[s.shard()]));
        }
        double step = after[1] + plan.communicationSec();
        return Optional.of(new Rebalance(plan.resplit(resplit, job.globalBatch() / step, step), before[0], after[0],
                job.globalBatch() / (before[1] + plan.communicationSec())));
    }
}
