package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The search for when vendor caps or a vendor minimum constrain the gang. All slots of one chip
 * type are interchangeable for rate and vendor share, so for a shard count n the problem is a
 * small integer program over per-chip-type counts: maximise the summed rate subject to every
 * vendor's share being at most the cap and at least minVendors vendors being used. It is solved
 * by local search over count vectors, from the fastest-n counts and from a vendor round-robin,
 * moving delta slots (halving from n down to 1) from one chip type to another; moves are ranked
 * by how far they break the constraints first, then by rate. Shard counts are walked exhaustively
 * up to {@link #GRID} values and on an even grid beyond. Pure.
 */
final class CappedSearch {
    static final int GRID = 64;
    private static final double EPS = 1e-9;
    private final JobSpec job;
    private final LinkModel link;
    private final double cap;
    private final int minVendors;
    private final double gradientBytes;
    private final int min;
    private final int max;

    CappedSearch(JobSpec job, LinkModel link, double cap, int minVendors, double gradientBytes) {
        this.job = job;
        this.link = link;
        this.cap = cap;
        this.minVendors = minVendors;
        this.gradientBytes = gradientBytes;
        this.min = job.shards().min();
        this.max = (int) Math.min(job.shards().max(), job.globalBatch());
    }

    Selection best(List<Slot> slots) {
        Map<String, List<Slot>> byType = new LinkedHashMap<>();
        slots.forEach(s -> byType.computeIfAbsent(s.chip().id(), k -> new ArrayList<>()).add(s));
        List<List<Slot>> types = new ArrayList<>(byType.values());
        Selection best = null;
        for (int n : grid(min, Math.min(max, slots.size()))) {
            for (int[] start : List.of(fastest(types, n), roundRobin(types, n))) {
                int[] counts = improve(types, start);
                if (violation(types, counts) == 0) {
                    Selection s = GangSearch.evaluate(take(types, counts), job, link, gradientBytes);
                    if (best == null || s.throughput() > best.throughput()) {
                        best = s;
                    }
                }
            }
        }
        return best;
    }

    /**
     * Hill-climbs from {@code counts}: best single move of delta slots between two chip types. A move
     * is taken only if it lowers the violation, or leaves it no higher and raises the rate, so no
     * count vector comes back and the climb ends. (Regression: a tie within EPS let the violation creep
     * up by EPS per move and the climb cycled for ever; {@code CappedSearchTerminationTest}.)
     */
    private int[] improve(List<List<Slot>> types, int[] counts) {
        int[] cur = counts.clone();
        while (true) {
            double curViolation = violation(types, cur);
            double curRate = rate(types, cur);
            int[] bestMove = null;
            double bestViolation = curViolation;
            double bestRate = curRate;
            for (int delta = Integer.highestOneBit(Math.max(1, Arrays.stream(cur).sum())); delta >= 1; delta >>= 1) {
                for (int from = 0; from < cur.length; from++) {
                    for (int to = 0; to < cur.length; to++) {
                        if (from == to || cur[from] < delta || cur[to] + delta > types.get(to).size()) {
                            continue;
                        }
                        cur[from] -= delta;
                        cur[to] += delta;
                        double v = violation(types, cur);
                        double r = rate(types, cur);
                        // Never a move that raises the violation, not even within EPS: the climb must end.
                        if (v < bestViolation - EPS || (v <= bestViolation && r > bestRate + EPS)) {
                            bestViolation = v;
                            bestRate = r;
                            bestMove = new int[] {from, to, delta};
                        }
                        cur[from] += delta;
                        cur[to] -= delta;
                    }
                }
            }
            if (bestMove == null) {
                return cur;
            }
            cur[bestMove[0]] -= bestMove[2];
            cur[bestMove[1]] += bestMove[2];
        }
    }

    /** How far counts break the caps (summed excess share) plus one per missing vendor. */
    private double violation(List<List<Slot>> types, int[] counts) {
        Map<String, Double> byVendor = new LinkedHashMap<>();
        double total = 0;
        for (int t = 0; t < counts.length; t++) {
            if (counts[t] > 0) {
                double r = counts[t] * types.get(t).get(0).rate();
                byVendor.merge(types.get(t).get(0).vendor(), r, Double::sum);
                total += r;
            }
        }
        double excess = Math.max(0, minVendors - byVendor.size());
        for (double r : byVendor.values()) {
            excess += Math.max(0, r / total - cap - EPS);
        }
        return excess;
    }

    private static double rate(List<List<Slot>> types, int[] counts) {
        double r = 0;
        for (int t = 0; t < counts.length; t++) {
            r += counts[t] * types.get(t).get(0).rate();
        }
        return r;
    }

    /** The fastest n slots, as counts (types are listed fastest first). */
    private static int[] fastest(List<List<Slot>> types, int n) {
        List<List<Slot>> order = new ArrayList<>(types);
        order.sort((a, b) -> Double.compare(b.get(0).rate(), a.get(0).rate()));
        int[] counts = new int[types.size()];
        int left = n;
        for (List<Slot> t : order) {
            int k = Math.min(left, t.size());
            counts[types.indexOf(t)] = k;
            left -= k;
        }
        return counts;
    }

    /** n slots dealt one per vendor in turn, each vendor's fastest type first. */
    private static int[] roundRobin(List<List<Slot>> types, int n) {
        int[] counts = new int[types.size()];
        Set<String> vendors = new HashSet<>();
        types.forEach(t -> vendors.add(t.get(0).vendor()));
        int placed = 0;
        while (placed < n) {
            boolean any = false;
            for (String v : vendors) {
                int best = -1;
                for (int t = 0; t < types.size(); t++) {
                    boolean fits = types.get(t).get(0).vendor().equals(v) && counts[t] < types.get(t).size();
                    if (fits && (best < 0 || types.get(t).get(0).rate() > types.get(best).get(0).rate())) {
                        best = t;
                    }
                }
                if (best >= 0 && placed < n) {
                    counts[best]++;
                    placed++;
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return counts;
    }

    private static List<Slot> take(List<List<Slot>> types, int[] counts) {
        List<Slot> out = new ArrayList<>();
        for (int t = 0; t < counts.length; t++) {
            out.addAll(types.get(t).subList(0, counts[t]));
        }
        return out;
    }

    static List<Integer> grid(int from, int to) {
        List<Integer> out = new ArrayList<>();
        if (to < from) {
            return out;
        }
        int span = to - from;
        if (span < GRID) {
            for (int v = from; v <= to; v++) {
                out.add(v);
            }
        } else {
            for (int i = 0; i < GRID; i++) {
                out.add(from + (int) Math.round((double) span * i / (GRID - 1)));
            }
        }
        return out;
    }
}
