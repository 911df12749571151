package io.tessera.scheduler.api;

import io.tessera.config.EffectiveWorker;
import io.tessera.config.JobSpec;
import java.util.TreeMap;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tessera.config.JobSpecDocument;
import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.ShardOutcomes;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.ChipReport;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job as the REST API returns it: who and where, its state and times, placement with each
 * shard's live status (or, once finished, how each shard of the last attempt ended), the first
 * failure explained, events, and the spec in the form it can be submitted again. The status
 * and timeline fields appear at the top level of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(@JsonUnwrapped Identity identity, @JsonUnwrapped Status status, @JsonUnwrapped Timeline timeline,
                      Training training, PlacementView placement, List<ShardView> shards, Failure failure,
                      List<JobEvent> events, Map<String, Object> spec) {

    /** Which job, whose, and where it queues. */
    public record Identity(String id, String name, String owner, String queue, int priority) {
    }

    public String id() {
        return identity.id();
    }

    /**
     * What its training says now, from its curve ({@code GET /v1/jobs/{id}/metrics}): the latest
     * named metrics (loss, ...), the pace in steps per second of wall-clock time, and when it should
     * reach its last step at that pace (while it runs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(Map<String, Double> metrics, Double stepsPerSec, String estimatedEndAt) {
    }

    /** Where the job is in its life. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String state, boolean cancelRequested, int attempt, int restarts, String waitingReason,
                         String waitKind, String estimatedStartAt, Integer restartsInPlace) {
    }

    /** When it was submitted, started (its first attempt running) and finished, and how long it ran. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timeline(String submittedAt, String startedAt, String finishedAt, Double durationSec) {
    }

    /** The committed plan's figures, and the communication plan its workers received. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlacementView(String precision, double predictedSamplesPerSec, double stepTimeSec,
                                double communicationSec, Map<String, Double> vendorShares, List<ChipReport> chips,
                                CommPlan communication) {
    }

    /**
     * One shard: where it runs, its batch, what its agent last reported (or how it ended), and the
     * efficiency learned for its chip type and precision in the job's class, if any.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ShardView(int shard, @JsonUnwrapped Where where, @JsonUnwrapped Batch batch, @JsonUnwrapped State state,
                            @JsonUnwrapped Progress progress, @JsonUnwrapped Runs runs, Double learnedEfficiency) {
    }

    /** Where a shard runs: its node, devices, chip type and vendor. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Where(String node, List<Integer> devices, String chipType, String vendor) {
    }

    /** How a shard's worker is doing: its phase, outcome, process and exit, and its incarnation when restarted in place. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record State(String phase, String outcome, Long pid, Integer exitCode, String signal, Integer incarnation) {
    }

    /**
     * What a shard's worker runs in: the image (the job's or its variant's; null for a host
     * process), the digest its node resolved it to, the variant key that applied, and the command
     * when a variant applied (else it is the spec's).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Runs(String image, String imageDigest, String variant, List<String> command) {
        /** What {@code worker} runs, with the digest a node resolved its image to (or null). */
        public static Runs of(EffectiveWorker worker, String imageDigest) {
            return new Runs(worker.image(), imageDigest, worker.variant(), worker.variant() == null ? null : worker.argv());
        }
    }

    /** A shard's share of the global batch. */
    public record Batch(String precision, int microBatch, int accumulation, double predictedSamplesPerSec) {
    }

    /**
     * What a shard's worker last reported; {@code split} is the batch split version it runs,
     * {@code checkpointSec} how long its latest checkpoint took to write, if it said.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Progress(Long step, Long totalSteps, Double measuredSamplesPerSec, Long checkpointStep, Integer split,
                           Double checkpointSec) {
    }

    /** The attempt's first failure: the shard to look at, how it ended, and the end of its output. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(int shard, int attempt, String node, Integer exitCode, String signal, String summary,
                          List<String> outputTail, List<Integer> peerFailures) {
    }

    /**
     * @param estimatedStartAt the predicted start of a queued job holding a reservation, or null
     * @param learned          what the job's class learned, or null
     */
    public static JobView of(JobRecord job, Map<Integer, ShardReport> reports, String estimatedStartAt, long nowMs,
                             ThroughputProfile learned) {
        return of(job, reports, estimatedStartAt, nowMs, learned, null);
    }

    /** @param telemetry the job's training curve, or null */
    public static JobView of(JobRecord job, Map<Integer, ShardReport> reports, String estimatedStartAt, long nowMs,
                             ThroughputProfile learned, JobTelemetry telemetry) {
        Plan plan = job.placement();
        PlacementView pv = plan == null ? null : new PlacementView(plan.precision().wireName(),
                plan.predictedSamplesPerSec(), plan.stepTimeSec(), plan.communicationSec(), plan.vendorShares(), plan.chips(),
                plan.communication());
        Map<Integer, ShardReport> last = lastAttempt(job, reports);
        Optional<ShardReport> first = stoppedByRequest(job) ? Optional.empty() : ShardOutcomes.firstFailure(last.values());
        List<ShardView> shards = plan == null ? List.of()
                : plan.shards().stream().map(s -> shard(job.spec(), s, last.get(s.shard()), first, learned)).toList();
        Status status = new Status(job.state().name(), job.cancelRequested(), job.attempt(), job.restarts(),
                job.waitingReason(), job.waiting() == null ? null : job.waiting().kind().name(),
                job.state() == JobState.QUEUED ? estimatedStartAt : null,
                job.recovery().generation() == 0 ? null : job.recovery().generation());
        return new JobView(new Identity(job.id(), job.spec().name(), job.owner(), job.spec().queue(), job.spec().priority()),
                status, JobTimes.of(job, nowMs), training(job, last, telemetry), pv, shards,
                failure(job, plan, last, first), job.events(), JobSpecDocument.of(job.spec()));
    }

    /** The job's latest metrics and, while it runs, its pace and predicted end; null without a curve. */
    private static Training training(JobRecord job, Map<Integer, ShardReport> last, JobTelemetry telemetry) {
        if (telemetry == null || telemetry.last().isEmpty()) {
            return null;
        }
        Map<String, Double> metrics = telemetry.last().get().metrics();
        if (!job.state().active()) {
            return metrics.isEmpty() ? null : new Training(metrics, null, null);
        }
        Long total = last.values().stream().map(ShardReport::totalSteps).filter(t -> t != null).max(Long::compare)
                .orElse(job.spec().scheduling().steps());
        Double pace = telemetry.stepsPerSec(job.attempt()).orElse(null);
        String end = total == null ? null : telemetry.estimatedEndMs(job.attempt(), total)
                .map(ms -> Instant.ofEpochMilli(ms).toString()).orElse(null);
        return new Training(metrics.isEmpty() ? null : metrics, pace, end);
    }

    /**
     * Whether the job's last attempt was ended by a cancel: its workers were killed by Tessera, as
     * asked, so none of them failed. Regression: a cancelled job showed "shard 0 was killed
     * unexpectedly" as its failure.
     */
    private static boolean stoppedByRequest(JobRecord job) {
        return job.state() == JobState.CANCELLED || job.cancelRequested() && !job.state().terminal();
    }

    /** The reports of the job's current workers (attempt and incarnation): live ones, or the final ones kept with a finished job. */
    private static Map<Integer, ShardReport> lastAttempt(JobRecord job, Map<Integer, ShardReport> reports) {
        Map<Integer, ShardReport> out = new TreeMap<>();
        (job.finalShards().isEmpty() ? reports.values() : job.finalShards()).stream()
                .filter(r -> r != null && r.attempt() == job.attempt()
                        && r.incarnationOrZero() == job.recovery().incarnation(r.shard())).forEach(r -> out.put(r.shard(), r));
        return out;
    }

    private static Failure failure(JobRecord job, Plan plan, Map<Integer, ShardReport> last, Optional<ShardReport> first) {
        if (first.isEmpty()) {
            return null;
        }
        ShardReport f = first.get();
        List<Integer> peers = last.values().stream().filter(r -> ShardOutcomes.of(r, first) == ShardOutcomes.Outcome.PEER_FAILED)
                .map(ShardReport::shard).toList();
        String node = plan != null && f.shard() < plan.shards().size() ? plan.shards().get(f.shard()).node() : null;
        return new Failure(f.shard(), f.attempt(), node, f.exitCode(), ShardOutcomes.signal(f.exitCode()).orElse(null),
                ShardOutcomes.describe(f), f.exit() == null ? List.of() : f.exit().tail(), peers);
    }

    private static ShardView shard(JobSpec spec, ShardPlan s, ShardReport r, Optional<ShardReport> first, ThroughputProfile learned) {
        Batch batch = new Batch(s.precision().wireName(), s.microBatch(), s.accumulation(), s.samplesPerSec());
        Progress progress = r == null ? new Progress(null, null, null, null, null, null)
                : new Progress(r.step(), r.totalSteps(), r.samplesPerSec(), r.checkpointStep(), r.split(), r.checkpointSec());
        ThroughputProfile.Estimate e = learned == null ? null
                : learned.estimates().get(ThroughputProfile.slot(s.chipType(), s.precision().wireName()));
        State state = new State(r == null ? "PENDING" : r.phase().name(), r == null ? null : ShardOutcomes.of(r, first).name(),
                r == null ? null : r.pid(), r == null ? null : r.exitCode(),
                r == null ? null : ShardOutcomes.signal(r.exitCode()).orElse(null), r == null ? null : r.incarnation());
        EffectiveWorker worker = spec.workerFor(s.chipType(), s.vendor());
        return new ShardView(s.shard(), new Where(s.node(), s.devices(), s.chipType(), s.vendor()), batch, state, progress,
                Runs.of(worker, r == null ? null : r.imageDigest()), e == null ? null : e.efficiency());
    }
}
