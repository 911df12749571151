package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A simple throughput-proportional gang placer: filter chip types through the feasibility checks,
 * try each acceptable precision as the uniform precision, take the fastest slots (best-fit nodes
 * first) within the shard range and vendor caps, and split the batch in proportion to throughput.
 * It ignores communication cost; the full engine replaces it behind {@link Placer}.
 */
public final class ProportionalPlacer implements Placer {
    /** Feasibility stages, cheapest first. */
    private static final List<ChipCheck> CHECKS = List.of(
            new AllowedChipCheck(),  // a list lookup
            new PrecisionCheck(),    // a few map lookups
            new MemoryCheck(),       // arithmetic on the job
            new CapacityCheck());    // a scan of the nodes

    @Override
    public PlacementResult place(ClusterSnapshot snapshot, String jobId, JobSpec job, PlacementPolicy policy) {
        Map<String, ChipType> present = presentChips(snapshot);
        Map<String, Veto> vetoes = new LinkedHashMap<>();
        List<ChipType> eligible = new ArrayList<>();
        for (ChipType chip : present.values()) {
            Optional<Veto> veto = firstVeto(chip, job, snapshot, policy);
            veto.ifPresentOrElse(v -> vetoes.put(chip.id(), v), () -> eligible.add(chip));
        }
        double cap = Optional.ofNullable(job.vendorPolicy().maxVendorShare()).orElse(policy.defaultMaxVendorShare());
        int minVendors = Optional.ofNullable(job.vendorPolicy().minVendors()).orElse(policy.defaultMinVendors());
        Plan best = null;
        for (Precision precision : job.precisions()) {
            Plan plan = planAt(snapshot, job, precision, eligible, cap, minVendors);
            if (plan != null && (best == null || plan.predictedSamplesPerSec() > best.predictedSamplesPerSec())) {
                best = plan;
            }
        }
        if (best == null) {
            return unschedulable(snapshot, job, present, eligible, vetoes, cap, minVendors);
        }
        return withReports(best, present, vetoes);
    }

    private static Map<String, ChipType> presentChips(ClusterSnapshot snapshot) {
        Map<String, ChipType> present = new LinkedHashMap<>();
        snapshot.nodes().forEach(n -> n.freeDevices().keySet().forEach(id ->
                snapshot.catalog().byId(id).ifPresent(c -> present.put(id, c))));
        return present;
    }

    private static Optional<Veto> firstVeto(ChipType chip, JobSpec job, ClusterSnapshot s, PlacementPolicy p) {
        for (ChipCheck check : CHECKS) {
            Optional<Veto> v = check.check(chip, job, s, p);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static Plan planAt(ClusterSnapshot snapshot, JobSpec job, Precision precision, List<ChipType> eligible,
                               double cap, int minVendors) {
        List<Slot> slots = slots(snapshot, job, precision, eligible);
        int max = (int) Math.min(job.shards().max(), job.globalBatch());
        return SlotSelector.select(slots, job.shards().min(), max, cap, minVendors)
                .map(chosen -> build(job, precision, chosen)).orElse(null);
    }

    /** Every slot of every eligible chip type supporting {@code precision}, fastest first, best-fit within. */
    private static List<Slot> slots(ClusterSnapshot snapshot, JobSpec job, Precision precision, List<ChipType> eligible) {
        int dps = job.devicesPerShard();
        List<Slot> slots = new ArrayList<>();
        for (ChipType chip : eligible) {
            if (!chip.supports(precision)) {
                continue;
            }
            double rate = ThroughputModel.shardSamplesPerSec(chip, precision, job);
            snapshot.nodes().stream().filter(n -> n.free(chip.id()) >= dps)
                    .sorted(Comparator.comparingInt((NodeView n) -> n.free(chip.id())).thenComparing(NodeView::name))
                    .forEach(n -> {
                        List<Integer> free = n.freeDevices().get(chip.id());
                        for (int i = 0; i + dps <= free.size(); i += dps) {
                            slots.add(new Slot(n, chip, free.subList(i, i + dps), rate));
                        }
                    });
        }
        slots.sort(Comparator.comparingDouble(Slot::rate).reversed());
        return slots;
    }

    private static Plan build(JobSpec job, Precision precision, List<Slot> chosen) {
        List<Slot> ranked = new ArrayList<>(chosen);
        ranked.sort(Comparator.comparing((Slot s) -> s.node().name()).thenComparing(s -> s.devices().get(0)));
        long[] parts = BatchSplit.proportional(job.globalBatch(), ranked.stream().mapToDouble(Slot::rate).toArray());
        List<ShardPlan> shards = new ArrayList<>();
        double stepTime = 0;
        for (int i = 0; i < ranked.size(); i++) {
            Slot s = ranked.get(i);
            shards.add(new ShardPlan(i, s.node().name(), s.node().address(), s.chip().id(), s.vendor(), s.devices(),
                    precision, (int) parts[i], 1, s.rate()));
            stepTime = Math.max(stepTime, parts[i] / s.rate());
        }
        return new Plan(precision, shards, job.globalBatch() / stepTime, stepTime, SlotSelector.shares(ranked), List.of());
    }

    private static Plan withReports(Plan plan, Map<String, ChipType> present, Map<String, Veto> vetoes) {
        List<ChipReport> reports = new ArrayList<>();
        for (ChipType chip : present.values()) {
            List<ShardPlan> on = plan.shards().stream().filter(s -> s.chipType().equals(chip.id())).toList();
            if (!on.isEmpty()) {
                reports.add(new ChipReport(chip.id(), on.size(), on.get(0).samplesPerSec(), null));
            } else if (vetoes.containsKey(chip.id())) {
                reports.add(new ChipReport(chip.id(), 0, null, vetoes.get(chip.id())));
            } else if (!chip.supports(plan.precision())) {
                reports.add(new ChipReport(chip.id(), 0, null, new Veto(chip.id(), VetoReason.PRECISION,
                        "lacks the plan's uniform precision " + plan.precision().wireName())));
            } else {
                reports.add(new ChipReport(chip.id(), 0, null,
                        new Veto(chip.id(), VetoReason.NOT_NEEDED, "faster chips covered the shard maximum")));
            }
        }
        return new Plan(plan.precision(), plan.shards(), plan.predictedSamplesPerSec(), plan.stepTimeSec(),
                plan.vendorShares(), reports);
    }

    private static Unschedulable unschedulable(ClusterSnapshot snapshot, JobSpec job, Map<String, ChipType> present,
                                               List<ChipType> eligible, Map<String, Veto> vetoes, double cap,
                                               int minVendors) {
        List<Veto> all = new ArrayList<>(vetoes.values());
        String summary;
        if (present.isEmpty()) {
            summary = "no free, healthy devices on any ready node";
            all.add(new Veto("*", VetoReason.INSUFFICIENT_DEVICES, summary));
        } else if (eligible.isEmpty()) {
            summary = "no chip type can take a shard: " + all;
        } else {
            int slots = job.precisions().stream().mapToInt(p -> slots(snapshot, job, p, eligible).size()).max().orElse(0);
            boolean capBinds = slots >= job.shards().min();
            VetoReason reason = capBinds ? VetoReason.VENDOR_CAP : VetoReason.INSUFFICIENT_DEVICES;
            summary = capBinds
                    ? String.format(java.util.Locale.ROOT, "%d shards fit, but not within maxVendorShare %.2f and "
                            + "minVendors %d", slots, cap, minVendors)
                    : "needs at least " + job.shards().min() + " shards of " + job.devicesPerShard()
                            + " devices; free capacity holds " + slots;
            eligible.forEach(c -> all.add(new Veto(c.id(), reason, summary)));
        }
        List<ChipReport> reports = all.stream().filter(v -> !v.chipType().equals("*"))
                .map(v -> new ChipReport(v.chipType(), 0, null, v)).toList();
        return new Unschedulable(summary, all, reports);
    }
}
