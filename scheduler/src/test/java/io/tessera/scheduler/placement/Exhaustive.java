package io.tessera.scheduler.placement;

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
        Set<String> nodes = new HashSet<>();
        double minIntra = Double.MAX_VALUE;
        for (Slot s : gang) {
            total += s.rate();
            vendor.merge(s.vendor(), s.rate(), Double::sum);
            nodes.add(s.node().name());
            minIntra = Math.min(minIntra, s.chip().intraNodeLinkGBs());
        }
        if (vendor.size() < policy.minVendors(job)) {
            return 0;
        }
        for (double v : vendor.values()) {
            if (v > policy.maxVendorShare(job) * total + 1e-9) {
                return 0;
            }
        }
        LinkModel.Span span = vendor.size() > 1 ? LinkModel.Span.CROSS_VENDOR
                : nodes.size() > 1 ? LinkModel.Span.VENDOR : LinkModel.Span.NODE;
        double comm = LinkModel.allReduceSec(n, gradBytes, job.devicesPerShard(),
                new LinkModel(policy.network()).perDeviceGBs(span, minIntra));
        double[] rates = gang.stream().mapToDouble(Slot::rate).toArray();
        long[] parts = BatchSplit.proportional(job.globalBatch(), rates);
        double compute = 0;
        for (int i = 0; i < n; i++) {
            compute = Math.max(compute, parts[i] / rates[i]);
        }
        return job.globalBatch() / (compute + comm);
    }
}
