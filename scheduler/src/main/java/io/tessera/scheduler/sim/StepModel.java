package io.tessera.scheduler.sim;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.CatalogThroughputModel;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import io.tessera.scheduler.placement.ThroughputModel;
import java.util.OptionalDouble;

/**
 * How fast a simulated job really trains, and what the placement policy is told about it. Pure.
 *
 * <p>Truth: a job with a class trains at the throughput table's steps/s for its class, gang
 * size and chip, so one shard of a job with global batch B on n shards does {@code rate x B/n}
 * samples/s; a job without a class trains at the catalog model's estimate. A committed plan's
 * step time is the slowest shard's compute time (its share of the batch over its true rate) plus
 * the plan's all-reduce time, times the job's time scale.
 *
 * <p>What placement sees: {@code aware}, the true rates (as a live scheduler sees measured step
 * times);
 * {@code agnostic}, the same rate on every chip that supports the precision, as Gavel builds its
 * heterogeneity-agnostic baseline (ties broken arbitrarily per job, {@link #tieBreak}).
 */
public final class StepModel {
    private final ThroughputTable table;
    private final ThroughputModel catalogModel = new CatalogThroughputModel();

    /** @param table measured throughput, or null when every job is timed by the catalog model */
    public StepModel(ThroughputTable table) {
        this.table = table;
    }

    /** True samples/s of one shard of {@code job} on {@code chip}, in a gang of {@code shards}. */
    public double shardSamplesPerSec(JobSpec job, ChipType chip, Precision precision, int shards) {
        if (chip.deviceTflops(precision) <= 0) {
            return 0;
        }
        String cls = job.env().get(SimJob.CLASS_ENV);
        if (cls == null || table == null) {
            return catalogModel.shardSamplesPerSec(chip, precision, job);
        }
        int scale = table.hasScale(cls, shards) ? shards : job.shards().max();
        OptionalDouble steps = table.stepsPerSec(cls, scale, chip.id());
        return steps.isPresent() ? steps.getAsDouble() * job.globalBatch() / Math.max(1, shards) : 0;
    }

    /** The throughput model placement is given. */
    public ThroughputModel policyModel(boolean aware) {
        return (chip, precision, job) -> {
            int n = job.shards().max();
            double truth = shardSamplesPerSec(job, chip, precision, n);
            return aware || truth <= 0 ? truth : (double) job.globalBatch() / n * (1 + 1e-9 * tieBreak(job, chip));
        };
    }

    /**
     * A fixed pseudo-random number in [0, 1) per job and chip type: with every rate equal, the
     * agnostic policy's choice among chip types is then arbitrary per job, rather than always the
     * chip type whose nodes sort first by name.
     */
    static double tieBreak(JobSpec job, ChipType chip) {
        long h = (job.name() + "|" + job.env().get(SimJob.CLASS_ENV) + "|" + job.scheduling().steps() + "|"
                + job.globalBatch() + "|" + chip.id()).hashCode() * 0x9E3779B97F4A7C15L;
        return ((h ^ (h >>> 29)) >>> 11) / (double) (1L << 53);
    }

    /** Seconds one optimizer step of {@code plan} really takes. */
    public double stepSec(JobSpec job, Plan plan, ChipCatalog catalog, double timeScale) {
        double compute = 0;
        int n = plan.shards().size();
        for (ShardPlan s : plan.shards()) {
            double rate = shardSamplesPerSec(job, catalog.byId(s.chipType()).orElseThrow(), s.precision(), n);
            compute = Math.max(compute, rate <= 0 ? Double.POSITIVE_INFINITY : s.samplesPerStep() / rate);
        }
        return (compute + plan.communicationSec()) * timeScale;
    }

    /** Seconds per step of {@code job} on {@code shards} shards all of {@code chip}, compute only. */
    public double referenceStepSec(JobSpec job, ChipType chip, Precision precision, int shards) {
        double rate = shardSamplesPerSec(job, chip, precision, shards);
        return rate <= 0 ? Double.POSITIVE_INFINITY : (double) job.globalBatch() / shards / rate;
    }
}
