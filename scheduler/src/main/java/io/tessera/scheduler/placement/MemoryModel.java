package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;

/**
 * Memory per device of one shard: training state sharded across the shard's devices, plus
 * activation memory x micro-batch. Training state per parameter (mixed-precision Adam):
 * fp32/tf32 16 B (4 weights, 4 grads, 8 moments); bf16/fp16 16 B (2 weights, 2 grads, 4 master,
 * 8 moments); fp8/int8 17 B (an extra 1-byte weight copy). An explicit {@code memoryPerShardGiB}
 * replaces the state estimate. Activations per sample: the job's {@code activationGiBPerSample},
 * else, for a model-size job, one bf16 tensor per layer boundary (activation checkpointing):
 * {@code 2 x tokens x hidden x layers} bytes, with hidden = cbrt(128 x parameters / 12) and
 * layers = hidden / 128 (the usual aspect ratio).
 */
public final class MemoryModel {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private MemoryModel() {
    }

    public static double stateBytesPerParameter(Precision p) {
        return switch (p) {
            case FP32, TF32, BF16, FP16 -> 16;
            case FP8, INT8 -> 17;
        };
    }

    /** GiB each device of a shard needs for training state. */
    public static double stateGiBPerDevice(JobSpec job, Precision precision) {
        JobSpec.Workload w = job.workload();
        double shard = w.memoryPerShardGiB() != null ? w.memoryPerShardGiB()
                : w.parameters() * stateBytesPerParameter(precision) / GIB;
        return shard / job.devicesPerShard();
    }

    /** Activation GiB per sample per device. */
    public static double activationGiBPerDevice(JobSpec job) {
        JobSpec.Workload w = job.workload();
        double perSample;
        if (w.activationGiBPerSample() != null) {
            perSample = w.activationGiBPerSample();
        } else if (w.parameters() != null) {
            double hidden = Math.cbrt(128 * w.parameters() / 12);
            perSample = 2 * w.tokensPerSample() * hidden * (hidden / 128) / GIB;
        } else {
            perSample = 0;
        }
        return perSample / job.devicesPerShard();
    }

    /** GiB of a chip's memory usable after headroom. */
    public static double usableGiB(ChipType chip, double headroom) {
        return chip.deviceHbmGiB() * (1 - headroom);
    }

    /** The largest micro-batch that fits; 0 when not even one sample fits. */
    public static int maxMicroBatch(ChipType chip, JobSpec job, Precision precision, double headroom) {
        double free = usableGiB(chip, headroom) - stateGiBPerDevice(job, precision);
        double act = activationGiBPerDevice(job);
        if (free < 0 || (act > 0 && free < act)) {
            return 0;
        }
        return act <= 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, Math.floor(free / act));
    }

    /**
     * Gradient accumulation for a shard's part of the batch: the fewest micro-steps a such that a
     * divides {@code part} exactly and part / a fits {@code maxMicro}. Returns {micro, accumulation}.
     */
    public static int[] microAndAccumulation(long part, int maxMicro) {
        long minSteps = Math.max(1, (part + maxMicro - 1) / maxMicro);
        for (long a = minSteps; a <= part; a++) {
            if (part % a == 0) {
                return new int[] {(int) (part / a), (int) a};
            }
        }
        return new int[] {1, (int) part};
    }
}
