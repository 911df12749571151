package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;
import io.tessera.config.NetworkConfig;
import io.tessera.config.Precision;
import java.util.List;

/**
 * Gradient all-reduce time of a data-parallel gang, priced on the shape of its communication
 * plan ({@link CommPlanner}): one group per vendor and collective library.
 * <ul>
 *   <li>One group: a ring all-reduce within it, bounded by its slowest link: intra-node when the
 *       group sits on one node, else the inter-node fabric.</li>
 *   <li>Several groups: each group reduces onto its leader, the leaders ring-all-reduce over the
 *       bridge (the cross-vendor network), and each leader broadcasts back. Groups work in parallel,
 *       so a phase takes as long as its slowest group. A bandwidth-optimal reduce (reduce-scatter,
 *       then gather) and broadcast (scatter, then all-gather) each move what a ring all-reduce
 *       moves, 2(k-1)/k of the gradient.</li>
 * </ul>
 * A shard's devices each carry 1/devicesPerShard of the gradient, so a shard boundary moves data at
 * devicesPerShard x the per-device link bandwidth. Pure.
 */
public final class LinkModel {
    private static final double GIB = 1024.0 * 1024 * 1024;

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

    /** What the cost model needs of one group: its size, whether it spans nodes, its slowest intra-node link. */
    public static final class GroupShape {
        private int size;
        private String firstNode;
        private boolean multiNode;
        private double minIntraGBs = Double.MAX_VALUE;

        /** Adds a shard on {@code node} whose chip links its devices at {@code intraNodeGBs}. */
        public GroupShape add(String node, double intraNodeGBs) {
            size++;
            if (firstNode == null) {
                firstNode = node;
            } else if (!multiNode && !firstNode.equals(node)) {
                multiNode = true;
            }
            minIntraGBs = Math.min(minIntraGBs, intraNodeGBs);
            return this;
        }

        public int size() {
            return size;
        }

        public boolean multiNode() {
            return multiNode;
        }
    }

    /** Per-device GB/s of a group's slowest link. */
    public double groupGBs(GroupShape g) {
        return g.multiNode ? Math.min(g.minIntraGBs, network.interNodeGBsPerDevice()) : g.minIntraGBs;
    }

    /** Per-device GB/s of the bridge between leaders: the cross-vendor network, behind each leader's node fabric. */
    public double bridgeGBs() {
        return Math.min(network.interNodeGBsPerDevice(), network.crossVendorGBsPerDevice());
    }

    /** Seconds per step of the all-reduce over {@code groups}, as the communication plan runs it. */
    public double commSec(List<GroupShape> groups, double gradientBytes, int devicesPerShard) {
        if (groups.size() == 1) {
            GroupShape g = groups.get(0);
            return allReduceSec(g.size, gradientBytes, devicesPerShard, groupGBs(g));
        }
        double slowestGroup = 0;
        for (int i = 0; i < groups.size(); i++) { // indexed: called at every step of every walk
            GroupShape g = groups.get(i);
            slowestGroup = Math.max(slowestGroup, allReduceSec(g.size, gradientBytes, devicesPerShard, groupGBs(g)));
        }
        double bridge = allReduceSec(groups.size(), gradientBytes, devicesPerShard, bridgeGBs());
        return 2 * slowestGroup + bridge; // reduce onto leaders, bridge, broadcast back
    }

    /** Seconds per step spent in a bandwidth-optimal ring all-reduce (or reduce, or broadcast) of {@code shards} shards. */
    public static double allReduceSec(int shards, double gradientBytes, int devicesPerShard, double perDeviceGBs) {
        if (shards <= 1) {
            return 0;
        }
        return 2.0 * (shards - 1) / shards * gradientBytes / (devicesPerShard * perDeviceGBs * 1e9);
    }
}
