package io.tessera.scheduler.placement;

/**
 * Cluster-wide placement settings; a job's own options override the defaults.
 *
 * @param defaultMaxVendorShare the largest share of a job's throughput one vendor may carry, unless the job says
 * @param defaultMinVendors     the fewest vendors a job must span, unless the job says
 * @param memoryHeadroom        fraction of each device's HBM kept free for the runtime, in [0, 1)
 */
public record PlacementPolicy(double defaultMaxVendorShare, int defaultMinVendors, double memoryHeadroom) {
    public static final PlacementPolicy DEFAULT = new PlacementPolicy(1.0, 1, 0.10);
}
