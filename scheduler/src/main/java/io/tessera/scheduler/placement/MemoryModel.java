package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;

/**
 * Training-state memory per device. With a model size it is 16 bytes per parameter (BF16/FP16
 * weights and gradients plus FP32 master weights and two Adam moments), sharded across the
 * shard's devices; with explicit figures it is {@code memoryPerShardGiB / devicesPerShard}.
 */
public final class MemoryModel {
    /** Mixed-precision Adam: 2 (weights) + 2 (grads) + 4 (master) + 4 + 4 (moments). */
    public static final double BYTES_PER_PARAMETER = 16;
    private static final double GIB = 1024.0 * 1024 * 1024;

    private MemoryModel() {
    }

    /** GiB each device of a shard needs for training state. */
    public static double stateGiBPerDevice(JobSpec job) {
        JobSpec.Workload w = job.workload();
        double shard = w.memoryPerShardGiB() != null && w.parameters() == null
                ? w.memoryPerShardGiB()
                : w.parameters() * BYTES_PER_PARAMETER / GIB;
        return shard / job.devicesPerShard();
    }

    /** GiB of {@code chip}'s memory usable for training state after headroom. */
    public static double usableGiB(ChipType chip, double headroom) {
        return chip.hbmGiB() * (1 - headroom);
    }
}
