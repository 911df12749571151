package io.tessera.scheduler.placement;

import io.tessera.config.Precision;
import io.tessera.config.wire.CommPlan;
import java.util.List;
import java.util.Map;

/** The outcome of {@code place}: a {@link Plan} or the typed reasons there is none. */
public sealed interface PlacementResult {

    /** Per-chip-type conclusions, used or vetoed, for explanations. */
    List<ChipReport> chips();

    /**
     * A complete gang placement, not yet committed.
     *
     * @param precision              the uniform precision (or the most common one under per-shard policy)
     * @param shards                 every shard, ranks 0..n-1
     * @param predictedSamplesPerSec the job's predicted throughput
     * @param stepTimeSec            predicted seconds per optimizer step, compute and all-reduce
     * @param communicationSec       the all-reduce part of the step time
     * @param vendorShares           fraction of predicted throughput per vendor
     * @param chips                  per chip type: used or why not
     * @param communication          the groups, leaders and bridge that {@code communicationSec} prices
     *                               ({@link CommPlanner}); its ports are set when the plan is committed
     * @param splitVersion           0 as placed; +1 each time the running attempt's batch is re-split by measured speed
     */
    record Plan(Precision precision, List<ShardPlan> shards, double predictedSamplesPerSec, double stepTimeSec,
                double communicationSec, Map<String, Double> vendorShares, List<ChipReport> chips,
                CommPlan communication, int splitVersion)
            implements PlacementResult {
        public Plan {
            shards = List.copyOf(shards);
            vendorShares = Map.copyOf(vendorShares);
            chips = List.copyOf(chips);
        }

        public Plan(Precision precision, List<ShardPlan> shards, double predictedSamplesPerSec, double stepTimeSec,
                    double communicationSec, Map<String, Double> vendorShares, List<ChipReport> chips) {
            this(precision, shards, predictedSamplesPerSec, stepTimeSec, communicationSec, vendorShares, chips, null, 0);
        }

        public Plan(Precision precision, List<ShardPlan> shards, double predictedSamplesPerSec, double stepTimeSec,
                    double communicationSec, Map<String, Double> vendorShares, List<ChipReport> chips,
                    CommPlan communication) {
            this(precision, shards, predictedSamplesPerSec, stepTimeSec, communicationSec, vendorShares, chips,
                    communication, 0);
        }

        /** This plan with its batch re-split: new shards (same ranks, nodes and devices), and the figures they give. */
        public Plan resplit(List<ShardPlan> newShards, double newSamplesPerSec, double newStepTimeSec) {
            return new Plan(precision, newShards, newSamplesPerSec, newStepTimeSec, communicationSec, vendorShares,
                    chips, communication, splitVersion + 1);
        }

        /** The same plan with other chip reports. */
        public Plan withChips(List<ChipReport> reports) {
            return new Plan(precision, shards, predictedSamplesPerSec, stepTimeSec, communicationSec, vendorShares,
                    reports, communication, splitVersion);
        }

        /** The same plan with its communication plan completed (ports and interfaces, at commit). */
        public Plan withCommunication(CommPlan comm) {
            return new Plan(precision, shards, predictedSamplesPerSec, stepTimeSec, communicationSec, vendorShares,
                    chips, comm, splitVersion);
        }
    }

    /**
     * No placement is possible now.
     *
     * @param summary one line for the job's events
     * @param vetoes  every reason found
     * @param chips   per chip type: why not
     */
    record Unschedulable(String summary, List<Veto> vetoes, List<ChipReport> chips) implements PlacementResult {
        public Unschedulable {
            vetoes = List.copyOf(vetoes);
            chips = List.copyOf(chips);
        }
    }
}
