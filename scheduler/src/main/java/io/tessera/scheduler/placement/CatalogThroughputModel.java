package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;

/**
 * {@code devicesPerShard x peak TFLOPS(chip, precision) x efficiency / FLOPs per sample}, where
 * efficiency is the job's override for the chip type, else the catalog's, and FLOPs per sample is
 * 6 x parameters x tokens, or the job's explicit figure.
 */
public final class CatalogThroughputModel implements ThroughputModel {
    @Override
    public double shardSamplesPerSec(ChipType chip, Precision precision, JobSpec job) {
        double tflops = chip.deviceTflops(precision);
        double efficiency = job.efficiency().getOrDefault(chip.id(), chip.efficiency());
        return job.devicesPerShard() * tflops * 1e12 * efficiency / job.workload().trainingFlopsPerSample();
    }
}
