package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;

/**
 * Predicts one shard's samples per second on a chip at a precision. The default,
 * {@link CatalogThroughputModel}, estimates from the catalog; {@link MeasuredThroughputModel} is
 * the hook through which step times measured by workers replace the estimate. Pure.
 */
@FunctionalInterface
public interface ThroughputModel {
    /** Samples/s of one shard of {@code job} on {@code chip} at {@code precision}; 0 when unsupported. */
    double shardSamplesPerSec(ChipType chip, Precision precision, JobSpec job);
}
