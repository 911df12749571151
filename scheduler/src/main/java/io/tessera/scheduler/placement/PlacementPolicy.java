package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;
import io.tessera.config.NetworkConfig;
import java.util.Optional;

/**
 * Cluster-wide placement settings; a job's own options override the defaults.
 *
 * @param defaultMaxVendorShare the largest share of a job's throughput one vendor may carry, unless the job says
 * @param defaultMinVendors     the fewest vendors a job must span, unless the job says
 * @param memoryHeadroom        fraction of each device's HBM kept free for the runtime, in [0, 1)
 * @param network               link bandwidths between nodes and between vendors
 * @param throughput            how shard throughput is predicted
 */
public record PlacementPolicy(double defaultMaxVendorShare, int defaultMinVendors, double memoryHeadroom,
                              NetworkConfig network, ThroughputModel throughput) {
    public static final PlacementPolicy DEFAULT =
            new PlacementPolicy(1.0, 1, 0.10, NetworkConfig.DEFAULT, new CatalogThroughputModel());

    public double maxVendorShare(JobSpec job) {
        return Optional.ofNullable(job.vendorPolicy().maxVendorShare()).orElse(defaultMaxVendorShare);
    }

    public int minVendors(JobSpec job) {
        return Optional.ofNullable(job.vendorPolicy().minVendors()).orElse(defaultMinVendors);
    }
}
