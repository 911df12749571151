package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One chip type's nodes that can hold at least one shard, in slot order: the zone with the most
 * slots of the type first (then zone name), then best fit (fewest free devices), then node name.
 * Holds each node's zone and slot count, so slots are built only when asked for. Immutable.
 */
final class NodeOrder {
    private final String chipId;
    private final int dps;
    private final NodeView[] nodes;
    private final String[] zones;
    private final int[] slotCounts;
    private final int total;
    /** Positions where a slot count first appears, ascending. */
    private final int[] firstOfCount;

    private NodeOrder(String chipId, int dps, NodeView[] nodes, String[] zones, int[] slotCounts) {
        this.chipId = chipId;
        this.dps = dps;
        this.nodes = nodes;
        this.zones = zones;
        this.slotCounts = slotCounts;
        this.total = Arrays.stream(slotCounts).sum();
        Set<Integer> seen = new HashSet<>();
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < slotCounts.length; i++) {
            if (seen.add(slotCounts[i])) {
                first.add(i);
            }
        }
        this.firstOfCount = first.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Orders {@code byName} (the nodes with free devices of {@code chipId}, sorted by name) for shards of {@code dps}. */
    static NodeOrder of(List<NodeView> byName, String chipId, int dps) {
        int n = byName.size();
        String[] zones = new String[n];
        int[] free = new int[n];
        Map<String, int[]> zoneSlots = new HashMap<>();
        for (int i = 0; i < n; i++) {
            NodeView node = byName.get(i);
            zones[i] = SlotSource.zone(node);
            free[i] = node.free(chipId);
            if (free[i] >= dps) {
                int[] slots = zoneSlots.get(zones[i]);
                if (slots == null) {
                    slots = new int[1];
                    zoneSlots.put(zones[i], slots);
                }
                slots[0] += free[i] / dps;
            }
        }
        List<String> ranked = new ArrayList<>(zoneSlots.keySet());
        ranked.sort(Comparator.comparingInt((String z) -> -zoneSlots.get(z)[0]).thenComparing(z -> z));
        for (int r = 0; r < ranked.size(); r++) {
            zoneSlots.get(ranked.get(r))[0] = r;
        }
        int[] rank = new int[n];
        int maxFree = 0;
        for (int i = 0; i < n; i++) {
            rank[i] = free[i] >= dps ? zoneSlots.get(zones[i])[0] : -1;
            maxFree = Math.max(maxFree, free[i]);
        }
        int[] order = byRankThenFree(rank, free, ranked.size(), maxFree);
        int used = order.length;
        NodeView[] ordered = new NodeView[used];
        String[] orderedZones = new String[used];
        int[] counts = new int[used];
        for (int k = 0; k < used; k++) {
            int i = order[k];
            ordered[k] = byName.get(i);
            orderedZones[k] = zones[i];
            counts[k] = free[i] / dps;
        }
        return new NodeOrder(chipId, dps, ordered, orderedZones, counts);
    }

    /**
     * The indices with a rank of 0 or more, by rank, then free devices, then index: a least
     * significant digit radix sort (stable counting sorts by free devices, then by rank), linear
     * in the nodes, zones and devices per node.
     */
    private static int[] byRankThenFree(int[] rank, int[] free, int ranks, int maxFree) {
        int used = 0;
        for (int r : rank) {
            used += r >= 0 ? 1 : 0;
        }
        int[] in = new int[used];
        int k = 0;
        for (int i = 0; i < rank.length; i++) {
            if (rank[i] >= 0) {
                in[k++] = i;
            }
        }
        return stableBy(stableBy(in, free, maxFree + 1), rank, ranks);
    }

    private static int[] stableBy(int[] in, int[] key, int buckets) {
        int[] start = new int[buckets + 1];
        for (int i : in) {
            start[key[i] + 1]++;
        }
        for (int b = 1; b <= buckets; b++) {
            start[b] += start[b - 1];
        }
        int[] out = new int[in.length];
        for (int i : in) {
            out[start[key[i]]++] = i;
        }
        return out;
    }

    /** Total slots of the type. */
    int totalSlots() {
        return total;
    }

    /** Appends the first {@code limit} slots of the type, in order. */
    void appendSlots(List<Slot> out, ChipType chip, Precision p, double rate, int limit) {
        int left = limit;
        for (int k = 0; k < nodes.length && left > 0; k++) {
            left -= appendNode(out, k, chip, p, rate, left);
        }
    }

    /** Appends up to {@code limit} slots of the node at position {@code at}; returns how many. */
    int appendNode(List<Slot> out, int at, ChipType chip, Precision p, double rate, int limit) {
        List<Integer> devices = nodes[at].freeDevices().get(chipId);
        int n = Math.min(slotCounts[at], limit);
        for (int s = 0; s < n; s++) {
            out.add(new Slot(nodes[at], chip, devices.subList(s * dps, (s + 1) * dps), p, rate, zones[at]));
        }
        return n;
    }

    /**
     * For each distinct slot count capped at {@code max}, the position of the first node with it; ascending.
     */
    List<Integer> firstOfEachCount(int max) {
        Set<Integer> seen = new HashSet<>();
        List<Integer> out = new ArrayList<>();
        for (int at : firstOfCount) {
            int capped = Math.min(slotCounts[at], max);
            if (capped >= 1 && seen.add(capped)) {
                out.add(at);
            }
        }
        return out;
    }
}
