package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.OptionalDouble;

/**
 * Prefers measured throughput over the estimate: where {@link Measurements} knows the samples/s a
 * job's shard achieved on a chip type at a precision (from the step times its workers reported),
 * that figure is used; otherwise the fallback model's estimate.
 */
public final class MeasuredThroughputModel implements ThroughputModel {
    private final ThroughputModel fallback;
    private final Measurements measurements;

    public MeasuredThroughputModel(ThroughputModel fallback, Measurements measurements) {
        this.fallback = fallback;
        this.measurements = measurements;
    }

    @Override
    public double shardSamplesPerSec(ChipType chip, Precision precision, JobSpec job) {
        OptionalDouble measured = measurements.samplesPerSec(job, chip.id(), precision);
        return measured.isPresent() ? measured.getAsDouble() : fallback.shardSamplesPerSec(chip, precision, job);
    }

    /** Measured per-shard samples/s, keyed by job, chip type and precision; must be pure during a placement. */
    @FunctionalInterface
    public interface Measurements {
        OptionalDouble samplesPerSec(JobSpec job, String chipType, Precision precision);
    }
}
