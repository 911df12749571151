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
 * into devicesPerShard-sized groups. Order: fastest first; among equals, the zone (or rack) with
 * the most free slots of that chip first, so a vendor group stays in one zone; then best fit (the
 * node with the fewest free devices that still fit, to limit fragmentation); then by name.
 */
final class SlotSource {
    private SlotSource() {
    }

    /** @param uniform the gang's precision, or null for per-shard precision (each chip's best) */
    static List<Slot> slots(ClusterSnapshot snapshot, JobSpec job, List<ChipType> eligible, Precision uniform,
                            ThroughputModel model) {
        int dps = job.devicesPerShard();
        List<Slot> slots = new ArrayList<>();
        for (ChipType chip : eligible) {
            Precision p = uniform != null ? uniform : chip.bestOf(job.precisions()).orElse(null);
            if (p == null || !chip.supports(p)) {
                continue;
            }
            double rate = model.shardSamplesPerSec(chip, p, job);
            if (!(rate > 0)) {
                continue;
            }
            Map<String, Integer> zoneSlots = new HashMap<>();
            for (NodeView n : snapshot.nodes()) {
                zoneSlots.merge(zone(n), n.free(chip.id()) / dps, Integer::sum);
            }
            List<NodeView> nodes = new ArrayList<>();
            for (NodeView n : snapshot.nodes()) {
                if (n.free(chip.id()) >= dps) {
                    nodes.add(n);
                }
            }
            nodes.sort(Comparator.comparingInt((NodeView n) -> -zoneSlots.get(zone(n))).thenComparing(SlotSource::zone)
                    .thenComparingInt(n -> n.free(chip.id())).thenComparing(NodeView::name));
            for (NodeView n : nodes) {
                List<Integer> free = n.freeDevices().get(chip.id());
                for (int i = 0; i + dps <= free.size(); i += dps) {
                    slots.add(new Slot(n, chip, free.subList(i, i + dps), p, rate, zone(n)));
                }
            }
        }
        slots.sort(Comparator.comparingDouble(Slot::rate).reversed()); // stable: keeps zone and best-fit order
        return slots;
    }

    /** A node's zone: its {@code zone} label, else {@code rack}, else empty. */
    static String zone(NodeView n) {
        String z = n.labels().get("zone");
        return z != null ? z : n.labels().getOrDefault("rack", "");
    }
}
