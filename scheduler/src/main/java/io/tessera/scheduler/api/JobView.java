package io.tessera.scheduler.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ChipReport;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.List;
import java.util.Map;

/** A job as the REST API returns it: state, placement with live shard status, and events. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String name, String queue, int priority, String state, boolean cancelRequested,
                      String submittedAt, int attempt, int restarts, String waitingReason, String estimatedStartAt,
                      PlacementView placement,
                      List<ShardView> shards, List<JobEvent> events, JobSpec spec) {

    /** The committed plan's figures. */
    public record PlacementView(String precision, double predictedSamplesPerSec, double stepTimeSec,
                                double communicationSec, Map<String, Double> vendorShares, List<ChipReport> chips) {
    }

    /** One shard: where it runs, its batch, and what its agent last reported. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ShardView(int shard, String node, List<Integer> devices, String chipType, String vendor,
                            String precision, int microBatch, int accumulation, double predictedSamplesPerSec,
                            String phase, Long pid, Long step, Long totalSteps, Integer exitCode,
                            Double measuredSamplesPerSec, Long checkpointStep) {
    }

    /** @param estimatedStartAt the predicted start of a queued job holding a reservation, or null */
    public static JobView of(JobRecord job, Map<Integer, ShardReport> reports, String estimatedStartAt) {
        Plan plan = job.placement();
        PlacementView pv = plan == null ? null : new PlacementView(plan.precision().wireName(),
                plan.predictedSamplesPerSec(), plan.stepTimeSec(), plan.communicationSec(), plan.vendorShares(), plan.chips());
        List<ShardView> shards = plan == null ? List.of()
                : plan.shards().stream().map(s -> shard(s, current(reports.get(s.shard()), job.attempt()))).toList();
        return new JobView(job.id(), job.spec().name(), job.spec().queue(), job.spec().priority(), job.state().name(),
                job.cancelRequested(), job.submittedAt(), job.attempt(), job.restarts(), job.waitingReason(),
                job.state() == JobState.QUEUED ? estimatedStartAt : null, pv,
                shards, job.events(), job.spec().redacted());
    }

    private static ShardReport current(ShardReport r, int attempt) {
        return r != null && r.attempt() == attempt ? r : null;
    }

    private static ShardView shard(ShardPlan s, ShardReport r) {
        return new ShardView(s.shard(), s.node(), s.devices(), s.chipType(), s.vendor(), s.precision().wireName(),
                s.microBatch(), s.accumulation(), s.samplesPerSec(), r == null ? "PENDING" : r.phase().name(),
                r == null ? null : r.pid(), r == null ? null : r.step(), r == null ? null : r.totalSteps(),
                r == null ? null : r.exitCode(), r == null ? null : r.samplesPerSec(), r == null ? null : r.checkpointStep());
    }
}
