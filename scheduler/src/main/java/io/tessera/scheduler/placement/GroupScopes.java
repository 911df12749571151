package io.tessera.scheduler.placement;

import java.util.stream.IntStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Multi-vendor scopes that a fastest-first walk over all slots can miss, since a gang's
 * all-reduce depends on its communication groups ({@link LinkModel}): a second node takes a
 * vendor's group off its intra-node links, and a third vendor adds a leader to the bridge. In
 * these scopes every vendor is either confined to its best node or left out, at least one
 * confined: small multi-vendor gangs whose groups each stay on one node. (Scopes that keep some
 * vendors free and leave others out were tried as well: they changed no result of
 * {@code OptimalityTest} and made a 1,024-shard placement about 1.6 times slower, since each such
 * walk is as long as the job is wide.) A vendor's best node is the one-node run (one node's slots
 * of one chip type, from the candidates) whose fastest {@code max} slots sum highest, the first in
 * candidate order on a tie; so the shortened candidates of {@link SlotSource} give the same
 * scopes as every slot would. Every combination is produced for up to
 * {@link #ALL_COMBINATIONS_UP_TO} vendors; beyond that, all confined, and all confined but one
 * left out. A scope is a set of per-vendor queues of slot indices, as the walk takes them. Pure.
 */
final class GroupScopes {
    static final int ALL_COMBINATIONS_UP_TO = 3;
    private static final int FREE = 0;
    private static final int CONFINED = 1;
    private static final int LEFT_OUT = 2;

    private GroupScopes() {
    }

    /**
     * The scopes of {@code queues} (slot indices per vendor) other than all-free, each keeping at
     * least {@code minVendors} vendors, and two when {@code capped} (one vendor alone cannot meet a
     * cap). Their indices are into {@link Scopes#slots}: {@code slots} followed by the best runs.
     */
    static Scopes of(List<Slot> slots, List<List<Slot>> runs, int[][] queues, int max, int minVendors, boolean capped) {
        int vendors = queues.length;
        List<Slot> all = new ArrayList<>(slots);
        List<int[][]> out = new ArrayList<>();
        if (vendors < 2) {
            return new Scopes(all, out);
        }
        int[][] confined = new int[vendors][];
        for (int v = 0; v < vendors; v++) {
            List<Slot> best = bestRun(runs, slots.get(queues[v][0]).vendor(), max);
            if (best != null) {
                confined[v] = IntStream.range(all.size(), all.size() + best.size()).toArray();
                all.addAll(best);
            }
        }
        for (int[] states : states(vendors)) {
            if (!worthTrying(states)) {
                continue;
            }
            List<int[]> scope = new ArrayList<>();
            boolean possible = true;
            for (int v = 0; v < vendors; v++) {
                possible &= states[v] != CONFINED || confined[v] != null;
                if (states[v] != LEFT_OUT) {
                    scope.add(states[v] == CONFINED ? confined[v] : queues[v]);
                }
            }
            if (possible && scope.size() >= minVendors && !(scope.size() == 1 && capped)) {
                out.add(scope.toArray(new int[0][]));
            }
        }
        return new Scopes(all, out);
    }

    /** Scopes as per-vendor queues of indices into {@code slots}. */
    record Scopes(List<Slot> slots, List<int[][]> queues) {
    }

    /** Every vendor confined or left out, at least one confined. */
    private static boolean worthTrying(int[] states) {
        int free = 0;
        int confined = 0;
        for (int state : states) {
            free += state == FREE ? 1 : 0;
            confined += state == CONFINED ? 1 : 0;
        }
        return free == 0 && confined > 0;
    }

    /** The slots a scope's queues hold, in their original order. */
    static List<Slot> within(List<Slot> slots, int[][] scope) {
        return Arrays.stream(scope).flatMapToInt(Arrays::stream).sorted().mapToObj(slots::get).toList();
    }

    private static List<int[]> states(int vendors) {
        List<int[]> out = new ArrayList<>();
        if (vendors <= ALL_COMBINATIONS_UP_TO) {
            int combos = (int) Math.pow(3, vendors);
            for (int c = 1; c < combos; c++) {
                int[] states = new int[vendors];
                for (int v = 0, x = c; v < vendors; v++, x /= 3) {
                    states[v] = x % 3;
                }
                out.add(states);
            }
            return out;
        }
        for (int v = 0; v < vendors; v++) {
            int[] states = new int[vendors];
            Arrays.fill(states, CONFINED);
            states[v] = LEFT_OUT;
            out.add(states);
        }
        int[] all = new int[vendors];
        Arrays.fill(all, CONFINED);
        out.add(all);
        return out;
    }

    /** The run of {@code vendor} whose first {@code max} slots sum highest; null when it has none. */
    private static List<Slot> bestRun(List<List<Slot>> runs, String vendor, int max) {
        List<Slot> best = null;
        double bestRate = -1;
        for (List<Slot> run : runs) {
            if (!run.isEmpty() && run.get(0).vendor().equals(vendor)) {
                double rate = run.stream().limit(max).mapToDouble(Slot::rate).sum();
                if (rate > bestRate) {
                    bestRate = rate;
                    best = run.subList(0, Math.min(max, run.size()));
                }
            }
        }
        return best;
    }
}
