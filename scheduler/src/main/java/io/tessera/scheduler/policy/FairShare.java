package io.tessera.scheduler.policy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Weighted max-min fair shares of a capacity: each queue gets capacity in proportion to its
 * weight, no queue gets more than its cap (its quota plus what it may borrow), and what a capped
 * queue cannot use is divided again among the others by weight (water-filling). Pure.
 */
public final class FairShare {
    private FairShare() {
    }

    /**
     * @param capacity what is divided (normalized TFLOPS)
     * @param weights  the queues taking part, with their weights (all above 0)
     * @param caps     the most each queue may get; absent or infinite for no cap
     * @return each queue's share; the shares sum to at most {@code capacity}
     */
    public static Map<String, Double> shares(double capacity, Map<String, Double> weights, Map<String, Double> caps) {
        Map<String, Double> out = new TreeMap<>();
        Set<String> open = new HashSet<>(weights.keySet());
        double left = capacity;
        while (!open.isEmpty() && left > 1e-9) {
            double weight = open.stream().mapToDouble(weights::get).sum();
            Map<String, Double> offer = new HashMap<>();
            boolean capped = false;
            for (String q : open) {
                double room = caps.getOrDefault(q, Double.POSITIVE_INFINITY) - out.getOrDefault(q, 0.0);
                double want = left * weights.get(q) / weight;
                if (room <= want) {
                    out.merge(q, Math.max(0, room), Double::sum);
                    left -= Math.max(0, room);
                    offer.put(q, -1.0);
                    capped = true;
                }
            }
            open.removeAll(offer.keySet());
            if (!capped) {
                for (String q : open) {
                    out.merge(q, left * weights.get(q) / weight, Double::sum);
                }
                left = 0;
            }
        }
        weights.keySet().forEach(q -> out.putIfAbsent(q, 0.0));
        return out;
    }

    /**
     * Whether a job holding {@code tflops} of a queue that holds {@code victimQueueTflops} at weight
     * {@code victimWeight} may be preempted for a queue holding {@code waitingQueueTflops} at weight
     * {@code waitingWeight}: only if, once the waiting queue has gained what the victim's queue
     * loses, the victim's queue still holds at least as much per unit of weight. So fair-share
     * preemption never reverses the two queues' order, and it cannot flip back and forth (Kueue's
     * "at most the final share" strategy).
     */
    public static boolean reclaimable(double victimQueueTflops, double victimWeight, double waitingQueueTflops,
                                      double waitingWeight, double tflops) {
        return tflops > 0 && staysAhead(victimQueueTflops - tflops, victimWeight, waitingQueueTflops + tflops, waitingWeight);
    }

    /** Whether a queue holding {@code tflops} at {@code weight} holds at least as much per weight as the other. */
    public static boolean staysAhead(double tflops, double weight, double otherTflops, double otherWeight) {
        return tflops / weight >= otherTflops / otherWeight;
    }
}
