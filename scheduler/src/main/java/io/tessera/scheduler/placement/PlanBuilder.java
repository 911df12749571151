package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a selection into a plan: ranks ordered so that a vendor's shards, and a node's, are
 * neighbours in the ring; the global batch split into integer parts (proportional to throughput,
 * or equal for the heterogeneity-agnostic baseline) that sum exactly; each part cut into
 * micro-batch x accumulation to fit memory; the predicted step time of the integer split; and the
 * communication plan whose all-reduce that step time prices ({@link CommPlanner}).
 */
final class PlanBuilder {
    /** How the global batch is divided. */
    enum Split { PROPORTIONAL, EQUAL }

    private PlanBuilder() {
    }

    static Plan build(Selection sel, JobSpec job, PlacementPolicy policy, Split split) {
        List<Slot> ranked = new ArrayList<>(sel.slots());
        ranked.sort(Comparator.comparing(Slot::vendor).thenComparing(Slot::zone)
                .thenComparing((Slot s) -> s.node().name()).thenComparing(s -> s.devices().get(0)));
        double[] weights = ranked.stream().mapToDouble(s -> split == Split.EQUAL ? 1.0 : s.rate()).toArray();
        long[] parts = BatchSplit.proportional(job.globalBatch(), weights);
        List<ShardPlan> shards = new ArrayList<>();
        double compute = 0;
        Map<String, Double> shares = new HashMap<>();
        Map<Precision, Integer> precisions = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            Slot s = ranked.get(i);
            int maxMicro = MemoryModel.maxMicroBatch(s.chip(), job, s.precision(), policy.memoryHeadroom());
            int[] ma = MemoryModel.microAndAccumulation(parts[i], Math.max(1, maxMicro));
            shards.add(new ShardPlan(i, s.node().name(), s.node().address(), s.chip().id(), s.vendor(), s.devices(),
                    s.precision(), ma[0], ma[1], s.rate()));
            compute = Math.max(compute, parts[i] / s.rate());
            shares.merge(s.vendor(), s.rate() / sel.rate(), Double::sum);
            precisions.merge(s.precision(), 1, Integer::sum);
        }
        double step = compute + sel.commSec();
        Precision main = precisions.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<String, ChipType> chips = new HashMap<>();
        ranked.forEach(s -> chips.put(s.chip().id(), s.chip()));
        return new Plan(main, shards, job.globalBatch() / step, step, sel.commSec(), shares, List.of(),
                CommPlanner.plan(shards, chips::get, policy.network()));
    }
}
