package io.tessera.scheduler.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.CommPlan;
import io.tessera.scheduler.placement.ChipReport;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.placement.Veto;
import java.util.List;
import java.util.Map;

/**
 * A dry-run answer: a plan with its predicted figures, or why none exists. Nothing is committed.
 *
 * @param feasible               whether a plan exists now
 * @param summary                why not, when infeasible
 * @param precision              the plan's precision
 * @param predictedSamplesPerSec the job's predicted throughput
 * @param stepTimeSec            predicted seconds per optimizer step
 * @param communicationSec       the all-reduce part of a step
 * @param vendorShares           fraction of throughput per vendor
 * @param chips                  per chip type: per-shard samples/s, or why it was not used
 * @param shards                 per shard: node, devices, chip, precision, micro-batch, accumulation, samples/s,
 *                               and what it would run: its image and variant, and its command when a variant applied
 * @param vetoes                 every reason, when infeasible
 * @param communication          the groups, leaders and bridge the all-reduce runs over (ports are chosen at commit)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanView(boolean feasible, String summary, String precision, Double predictedSamplesPerSec,
                       Double stepTimeSec, Double communicationSec, Map<String, Double> vendorShares,
                       List<ChipReport> chips, List<PlannedShard> shards, List<Veto> vetoes, CommPlan communication) {

    /** One planned shard and what it would run. */
    public record PlannedShard(@JsonUnwrapped ShardPlan plan, @JsonUnwrapped JobView.Runs runs) {
    }

    /** The answer for {@code result}, each shard with what {@code spec} makes it run. */
    public static PlanView of(PlacementResult result, JobSpec spec) {
        if (result instanceof Plan p) {
            List<PlannedShard> shards = p.shards().stream().map(s -> new PlannedShard(s,
                    JobView.Runs.of(spec.workerFor(s.chipType(), s.vendor()), null))).toList();
            return new PlanView(true, null, p.precision().wireName(), p.predictedSamplesPerSec(), p.stepTimeSec(),
                    p.communicationSec(), p.vendorShares(), p.chips(), shards, null, p.communication());
        }
        Unschedulable u = (Unschedulable) result;
        return new PlanView(false, u.summary(), null, null, null, null, null, u.chips(), null, u.vetoes(), null);
    }
}
