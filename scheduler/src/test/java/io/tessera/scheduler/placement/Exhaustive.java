package io.tessera.scheduler.placement;

import io.tessera.config.NetworkConfig;
import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The test oracle: the same throughput model as the engine, maximised by trying every subset of
 * candidate slots, written independently of {@link GangSearch}. Only for small clusters.
 */
final class Exhaustive {
    private Exhaustive() {
    }

    /** The best predicted samples/s (integer batch split) over all feasible gangs; 0 if none. */
    static double optimum(ClusterSnapshot snapshot, JobSpec job, PlacementPolicy policy) {
        List<ChipType> eligible = new ArrayList<>();
        for (ChipType c : PlacementEngine.presentChips(snapshot).values()) {
            if (c.bestOf(job.precisions()).isPresent()
                    && new MemoryCheck().check(c, job, snapshot, policy).isEmpty()
                    && new CapacityCheck().check(c, job, snapshot, policy).isEmpty()) {
                eligible.add(c);
            }
        }
        double best = 0;
        for (Precision p : job.precisions()) {
            List<Slot> slots = SlotSource.slots(snapshot, job, eligible, p, policy.throughput());
            if (slots.size() > 20) {
                throw new IllegalArgumentException("too many slots for exhaustive search: " + slots.size());
            }
            double grad = LinkModel.gradientBytes(job, p);
            for (int mask = 1; mask < (1 << slots.size()); mask++) {
                best = Math.max(best, value(subset(slots, mask), job, policy, grad));
            }
        }
        return best;
    }

    private static List<Slot> subset(List<Slot> slots, int mask) {
        List<Slot> out = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                out.add(slots.get(i));
            }
        }
        return out;
    }

    /** Predicted samples/s of one gang, or 0 if it breaks a constraint. */
    static double value(List<Slot> gang, JobSpec job, PlacementPolicy policy, double gradBytes) {
        int n = gang.size();
        if (n < job.shards().min() || n > Math.min(job.shards().max(), job.globalBatch())) {
            return 0;
        }
        double total = 0;
        Map<String, Double> vendor = new HashMap<>();
        Map<String, Integer> groupSize = new HashMap<>();
        Map<String, Set<String>> groupNodes = new HashMap<>();
        Map<String, Double> groupIntra = new HashMap<>();
        for (Slot s : gang) {
            total += s.rate();
            vendor.merge(s.vendor(), s.rate(), Double::sum);
            String g = s.vendor() + "/" + s.chip().collective();
            groupSize.merge(g, 1, Integer::sum);
            groupNodes.computeIfAbsent(g, k -> new HashSet<>()).add(s.node().name());
            groupIntra.merge(g, s.chip().intraNodeLinkGBs(), Math::min);
        }
        if (vendor.size() < policy.minVendors(job)) {
            return 0;
        }
        for (double v : vendor.values()) {
            if (v > policy.maxVendorShare(job) * total + 1e-9) {
                return 0;
            }
        }
        double comm = hierarchicalAllReduce(groupSize, groupNodes, groupIntra, gradBytes, job.devicesPerShard(),
                policy.network());
        double[] rates = gang.stream().mapToDouble(Slot::rate).toArray();
        long[] parts = BatchSplit.proportional(job.globalBatch(), rates);
        double compute = 0;
        for (int i = 0; i < n; i++) {
            compute = Math.max(compute, parts[i] / rates[i]);
        }
        return job.globalBatch() / (compute + comm);
    }

    /** Reduce onto each group's leader, all-reduce between leaders, broadcast back; one group: a plain ring. */
    private static double hierarchicalAllReduce(Map<String, Integer> size, Map<String, Set<String>> nodes,
                                                Map<String, Double> intra, double bytes, int devices,
                                                NetworkConfig net) {
        double slowest = 0;
        for (String g : size.keySet()) {
            double gbs = nodes.get(g).size() > 1 ? Math.min(intra.get(g), net.interNodeGBsPerDevice()) : intra.get(g);
            int k = size.get(g);
            slowest = Math.max(slowest, 2.0 * (k - 1) / k * bytes / (devices * gbs * 1e9));
        }
        int leaders = size.size();
        if (leaders == 1) {
            return slowest;
        }
        double bridge = Math.min(net.interNodeGBsPerDevice(), net.crossVendorGBsPerDevice());
        return 2 * slowest + 2.0 * (leaders - 1) / leaders * bytes / (devices * bridge * 1e9);
    }
}
