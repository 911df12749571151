package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists the candidate slots for a job: every node's free devices of each eligible chip type, cut
 * into devicesPerShard-sized groups. Order: fastest chip type first (all slots of a type share a
 * rate); within a type, the zone (or rack) with the most free slots of it first, so a vendor
 * group stays in one zone; then best fit (the node with the fewest free devices that still fit,
 * to limit fragmentation); then by name.
 */
final class SlotSource {
    private SlotSource() {
    }

    /** @param uniform the gang's precision, or null for per-shard precision (each chip's best) */
    static List<Slot> slots(ClusterSnapshot snapshot, JobSpec job, List<ChipType> eligible, Precision uniform,
                            ThroughputModel model) {
        List<List<Slot>> perType = new ArrayList<>();
        for (ChipType chip : eligible) {
            Precision p = uniform != null ? uniform : chip.bestOf(job.precisions()).orElse(null);
            if (p == null || !chip.supports(p)) {
                continue;
            }
            double rate = model.shardSamplesPerSec(chip, p, job);
            if (rate > 0) {
                perType.add(ofType(snapshot, job.devicesPerShard(), chip, p, rate));
            }
        }
        perType.sort(Comparator.comparingDouble((List<Slot> l) -> l.isEmpty() ? 0 : -l.get(0).rate()));
        List<Slot> slots = new ArrayList<>();
        perType.forEach(slots::addAll);
        return slots;
    }

    private static List<Slot> ofType(ClusterSnapshot snapshot, int dps, ChipType chip, Precision p, double rate) {
        String id = chip.id();
        List<NodeView> nodes = snapshot.nodesWith(id);
        Map<String, Integer> zoneSlots = new HashMap<>();
        String[] zones = new String[nodes.size()];
        int[] free = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            zones[i] = zone(nodes.get(i));
            free[i] = nodes.get(i).free(id);
            if (free[i] >= dps) {
                zoneSlots.merge(zones[i], free[i] / dps, Integer::sum);
            }
        }
        // Zones ranked by free slots (most first), then by name.
        List<String> ranked = new ArrayList<>(zoneSlots.keySet());
        ranked.sort(Comparator.comparingInt((String z) -> -zoneSlots.get(z)).thenComparing(z -> z));
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            rank.put(ranked.get(i), i);
        }
        // One primitive key per usable node: zone rank, then free devices (best fit), then name order.
        long[] keys = new long[nodes.size()];
        int used = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (free[i] >= dps) {
                keys[used++] = ((long) rank.get(zones[i]) << 42) | ((long) Math.min(free[i], 1 << 20) << 21) | i;
            }
        }
        java.util.Arrays.sort(keys, 0, used);
        List<Slot> out = new ArrayList<>();
        for (int k = 0; k < used; k++) {
            int i = (int) (keys[k] & ((1 << 21) - 1));
            NodeView n = nodes.get(i);
            List<Integer> devices = n.freeDevices().get(id);
            for (int d = 0; d + dps <= devices.size(); d += dps) {
                out.add(new Slot(n, chip, devices.subList(d, d + dps), p, rate, zones[i]));
            }
        }
        return out;
    }

    /** A node's zone: its {@code zone} label, else {@code rack}, else empty. */
    static String zone(NodeView n) {
        String z = n.labels().get("zone");
        return z != null ? z : n.labels().getOrDefault("rack", "");
    }
}
