package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lists the candidate slots for a job: every node's free devices of each eligible chip type, cut
 * into devicesPerShard-sized groups. Order: fastest chip type first (all slots of a type share a
 * rate); within a type, the zone (or rack) with the most free slots of it first, so a vendor
 * group stays in one zone; then best fit (the node with the fewest free devices that still fit,
 * to limit fragmentation); then by name.
 *
 * <p>The order of each chip type's nodes ({@link NodeOrder}) does not depend on the job's
 * precision or rates, so it is kept by the snapshot and shared by every precision option and job.
 * Slots are built only as far as the search can reach: a gang of at most {@code max} shards never
 * takes more than {@code max} slots of one type, so the first {@code max} of each type give the
 * same search as all of them. Single-node gangs are found from slot counts, not from slots.
 */
final class SlotSource {
    private final ClusterSnapshot snapshot;
    private final int dps;

    SlotSource(ClusterSnapshot snapshot, int devicesPerShard) {
        this.snapshot = snapshot;
        this.dps = devicesPerShard;
    }

    /** What the gang search needs at one precision: slots fastest type first, and single-node candidates. */
    record Candidates(List<Slot> slots, List<List<Slot>> singleNodes) {
    }

    /** Every slot of the eligible types, in slot order. @param uniform the gang's precision, or null for each chip's best */
    static List<Slot> slots(ClusterSnapshot snapshot, JobSpec job, List<ChipType> eligible, Precision uniform,
                            ThroughputModel model) {
        return new SlotSource(snapshot, job.devicesPerShard()).candidates(job, eligible, uniform, model).slots();
    }

    /** All candidates without a shard limit. */
    Candidates candidates(JobSpec job, List<ChipType> eligible, Precision uniform, ThroughputModel model) {
        return candidates(job, eligible, uniform, model, Integer.MAX_VALUE);
    }

    /**
     * The candidates of a gang of at most {@code max} shards: at most {@code max} slots per chip
     * type, and for each chip type and each distinct slot count a node has (capped at {@code max}),
     * the first such node in slot order with its slots. Any other node with that count has the same
     * predicted throughput as that node and comes after it. The runs serve one-node gangs (those of
     * at least the job's minimum) and the vendor groups confined to one node ({@link GroupScopes}).
     */
    Candidates candidates(JobSpec job, List<ChipType> eligible, Precision uniform, ThroughputModel model, int max) {
        List<Rated> rated = rated(job, eligible, uniform, model);
        List<Slot> slots = new ArrayList<>();
        List<List<Slot>> singles = new ArrayList<>();
        for (Rated r : rated) {
            NodeOrder order = order(r.chip());
            order.appendSlots(slots, r.chip(), r.precision(), r.rate(), max);
            for (int at : order.firstOfEachCount(max)) {
                List<Slot> one = new ArrayList<>();
                order.appendNode(one, at, r.chip(), r.precision(), r.rate(), max);
                singles.add(one);
            }
        }
        return new Candidates(slots, singles);
    }

    /** How many slots the eligible types hold in all, without building them. */
    int count(JobSpec job, List<ChipType> eligible, Precision uniform, ThroughputModel model) {
        int n = 0;
        for (Rated r : rated(job, eligible, uniform, model)) {
            n += order(r.chip()).totalSlots();
        }
        return n;
    }

    private record Rated(ChipType chip, Precision precision, double rate) {
    }

    /** The eligible types that can run at the precision, with their per-shard rate, fastest first (stable). */
    private static List<Rated> rated(JobSpec job, List<ChipType> eligible, Precision uniform, ThroughputModel model) {
        List<Rated> out = new ArrayList<>();
        for (ChipType chip : eligible) {
            Precision p = uniform != null ? uniform : chip.bestOf(job.precisions()).orElse(null);
            if (p == null || !chip.supports(p)) {
                continue;
            }
            double rate = model.shardSamplesPerSec(chip, p, job);
            if (rate > 0) {
                out.add(new Rated(chip, p, rate));
            }
        }
        out.sort(Comparator.comparingDouble((Rated r) -> -r.rate()));
        return out;
    }

    private NodeOrder order(ChipType chip) {
        return snapshot.order(chip.id(), dps);
    }

    /** A node's zone: its {@code zone} label, else {@code rack}, else empty. */
    static String zone(NodeView n) {
        String z = n.labels().get("zone");
        return z != null ? z : n.labels().getOrDefault("rack", "");
    }
}
