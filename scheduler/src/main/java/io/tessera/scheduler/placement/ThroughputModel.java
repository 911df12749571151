package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;

/**
 * Predicts a shard's samples per second from the catalog:
 * {@code devicesPerShard x peak TFLOPS(chip, precision) x efficiency(chip) / FLOPs per sample}.
 * Measured step times reported by workers will replace this estimate behind the same method.
 */
public final class ThroughputModel {
    private ThroughputModel() {
    }

    /** Predicted samples/s of one shard of {@code job} on {@code chip} at {@code precision}; 0 if unsupported. */
    public static double shardSamplesPerSec(ChipType chip, Precision precision, JobSpec job) {
        double tflops = chip.tflops(precision).orElse(0);
        return job.devicesPerShard() * tflops * 1e12 * chip.efficiency() / job.workload().trainingFlopsPerSample();
    }
}
