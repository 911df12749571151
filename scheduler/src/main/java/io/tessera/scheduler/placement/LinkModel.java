package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;
import io.tessera.config.NetworkConfig;
import io.tessera.config.Precision;

/**
 * Gradient all-reduce time of a data-parallel gang: a ring all-reduce, bounded by the slowest
 * link in the ring. A shard's devices each carry 1/devicesPerShard of the gradient, so a shard
 * boundary moves data at devicesPerShard x the per-device link bandwidth. The slowest link is
 * intra-node when the gang sits on one node, the inter-node fabric when it spans nodes of one
 * vendor, and the cross-vendor network when it spans vendors.
 */
public final class LinkModel {
    private static final double GIB = 1024.0 * 1024 * 1024;

    /** How far a gang reaches, which decides its slowest link. */
    public enum Span { NODE, VENDOR, CROSS_VENDOR }

    private final NetworkConfig network;

    public LinkModel(NetworkConfig network) {
        this.network = network;
    }

    /** Bytes of gradient all-reduced per step: 4 per parameter at fp32/tf32, else 2 (bf16 gradients). */
    public static double gradientBytes(JobSpec job, Precision precision) {
        JobSpec.Workload w = job.workload();
        double params = w.parameters() != null ? w.parameters() : w.memoryPerShardGiB() * GIB / 16;
        return params * (precision == Precision.FP32 || precision == Precision.TF32 ? 4 : 2);
    }

    /** Per-device GB/s of the slowest link for a span, given the slowest intra-node link among the gang's chips. */
    public double perDeviceGBs(Span span, double minIntraNodeGBs) {
        return switch (span) {
            case NODE -> minIntraNodeGBs;
            case VENDOR -> Math.min(minIntraNodeGBs, network.interNodeGBsPerDevice());
            case CROSS_VENDOR -> Math.min(minIntraNodeGBs,
                    Math.min(network.interNodeGBsPerDevice(), network.crossVendorGBsPerDevice()));
        };
    }

    /** Seconds per step spent in the ring all-reduce of {@code shards} shards. */
    public static double allReduceSec(int shards, double gradientBytes, int devicesPerShard, double perDeviceGBs) {
        if (shards <= 1) {
            return 0;
        }
        return 2.0 * (shards - 1) / shards * gradientBytes / (devicesPerShard * perDeviceGBs * 1e9);
    }
}
