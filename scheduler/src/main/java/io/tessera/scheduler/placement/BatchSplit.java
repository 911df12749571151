package io.tessera.scheduler.placement;

/**
 * Splits a global batch into integer parts proportional to weights (largest-remainder method).
 * Contract: parts sum exactly to the total and every part is at least 1. When every exact share
 * is at least 1, each part differs from its exact share by less than 1; when f shares are below 1
 * and are raised to 1, the samples they take are found elsewhere and a part may differ by up to 1 + f.
 */
public final class BatchSplit {
    private BatchSplit() {
    }

    /** @throws IllegalArgumentException if total is smaller than the number of parts */
    public static long[] proportional(long total, double[] weights) {
        int n = weights.length;
        if (n == 0 || total < n) {
            throw new IllegalArgumentException("cannot split " + total + " into " + n + " non-empty parts");
        }
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        long[] parts = new long[n];
        double[] remainder = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            double exact = total * weights[i] / sum;
            parts[i] = Math.max(1, (long) Math.floor(exact));
            remainder[i] = exact - parts[i];
            assigned += parts[i];
        }
        adjust(parts, remainder, total - assigned);
        return parts;
    }

    /** Hands out (or takes back) the difference one unit at a time, largest remainder first. */
    private static void adjust(long[] parts, double[] remainder, long diff) {
        while (diff != 0) {
            int pick = -1;
            for (int i = 0; i < parts.length; i++) {
                boolean eligible = diff > 0 || parts[i] > 1;
                boolean better = pick < 0 || (diff > 0 ? remainder[i] > remainder[pick] : remainder[i] < remainder[pick]);
                if (eligible && better) {
                    pick = i;
                }
            }
            long step = diff > 0 ? 1 : -1;
            parts[pick] += step;
            remainder[pick] -= step;
            diff -= step;
        }
    }
}
