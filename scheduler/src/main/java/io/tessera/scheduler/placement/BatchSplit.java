package io.tessera.scheduler.placement;

import java.util.PriorityQueue;

/**
 * Splits a global batch into integer parts, one per shard, in proportion to the shards' rates,
 * minimising the slowest shard's step time {@code max(part / rate)} (water-filling).
 * Contract: the parts sum exactly to the total; every part is at least 1; no single sample can
 * be moved to lower the slowest step; and, unless the at-least-1 rule forces a sample onto a shard too
 * slow for it (rate x (total + n) / sum(rates) below 1), the slowest step is at most
 * {@code (total + n) / sum(rates)}: the split keeps at least {@code total / (total + n)} of the ideal
 * fractional throughput, whatever the mix of chip speeds.
 */
public final class BatchSplit {
    private BatchSplit() {
    }

    /** @throws IllegalArgumentException if total is smaller than the number of parts */
    public static long[] proportional(long total, double[] rates) {
        int n = rates.length;
        if (n == 0 || total < n) {
            throw new IllegalArgumentException("cannot split " + total + " into " + n + " non-empty parts");
        }
        double sum = 0;
        for (double r : rates) {
            sum += r;
        }
        long[] parts = new long[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            parts[i] = Math.max(1, (long) Math.floor(total * rates[i] / sum));
            assigned += parts[i];
        }
        if (assigned < total) {
            fill(parts, rates, total - assigned);
        } else if (assigned > total) {
            drain(parts, rates, assigned - total);
        }
        return parts;
    }

    /** Adds samples one at a time where they finish soonest. */
    private static void fill(long[] parts, double[] rates, long missing) {
        PriorityQueue<Integer> q = new PriorityQueue<>((a, b) -> Double.compare(
                (parts[a] + 1) / rates[a], (parts[b] + 1) / rates[b]));
        for (int i = 0; i < parts.length; i++) {
            q.add(i);
        }
        for (long k = 0; k < missing; k++) {
            int i = q.poll();
            parts[i]++;
            q.add(i);
        }
    }

    /** Removes samples one at a time from the slowest shard that can spare one. */
    private static void drain(long[] parts, double[] rates, long excess) {
        PriorityQueue<Integer> q = new PriorityQueue<>((a, b) -> Double.compare(
                parts[b] / rates[b], parts[a] / rates[a]));
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] > 1) {
                q.add(i);
            }
        }
        for (long k = 0; k < excess; k++) {
            int i = q.poll();
            parts[i]--;
            if (parts[i] > 1) {
                q.add(i);
            }
        }
    }
}
