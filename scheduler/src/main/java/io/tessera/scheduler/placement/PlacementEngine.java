package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.config.PrecisionPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tessera's placement engine: heterogeneity-, memory- and precision-aware gang placement.
 * The stages are assembled here and nowhere else. Pure: same snapshot, job and policy, same plan.
 */
public final class PlacementEngine implements Placer {
    /** Feasibility stages, cheapest first. */
    private static final List<ChipCheck> CHECKS = List.of(
            new AllowedChipCheck(),  // a list lookup
            new ContainerRuntimeCheck(), // a scan of the nodes, only for jobs that run in images
            new PrecisionCheck(),    // a few map lookups
            new MemoryCheck(),       // arithmetic on the job
            new CapacityCheck());    // a scan of the nodes

    @Override
    public PlacementResult place(ClusterSnapshot snapshot, String jobId, JobSpec job, PlacementPolicy policy) {
        // 1. the chip types that have free devices somewhere
        Map<String, ChipType> present = presentChips(snapshot);
        // 2. feasibility: the first veto per chip type
        Map<String, Veto> vetoes = new LinkedHashMap<>();
        List<ChipType> eligible = new ArrayList<>();
        ClusterSnapshot usable = ContainerRuntimeCheck.usable(snapshot, job); // image shards only where a runtime is
        for (ChipType chip : present.values()) {
            firstVeto(chip, job, snapshot, usable, policy).ifPresentOrElse(v -> vetoes.put(chip.id(), v), () -> eligible.add(chip));
        }
        // 3. search every precision option for the fastest feasible gang
        LinkModel link = new LinkModel(policy.network());
        SlotSource source = new SlotSource(usable, job.devicesPerShard());
        int max = (int) Math.min(job.shards().max(), job.globalBatch());
        Selection best = null;
        for (Precision p : precisionOptions(job)) {
            GangSearch search = new GangSearch(job, link, policy.maxVendorShare(job), policy.minVendors(job),
                    LinkModel.gradientBytes(job, p == null ? worstPrecision(job, eligible) : p));
            Optional<Selection> s = search.best(source.candidates(job, eligible, p, policy.throughput(), max));
            if (s.isPresent() && (best == null || s.get().throughput() > best.throughput() * (1 + 1e-12))) {
                best = s.get();
            }
        }
        if (best == null) {
            return unschedulable(source, job, policy, present, eligible, vetoes);
        }
        // 4. split the batch, fit memory, and explain every chip type
        Plan plan = PlanBuilder.build(best, job, policy, PlanBuilder.Split.PROPORTIONAL);
        return plan.withChips(Explainer.explain(plan, job, policy, present.values(), vetoes));
    }

    /** Uniform: each acceptable precision in preference order. Per-shard: one pass (null = each chip's best). */
    private static List<Precision> precisionOptions(JobSpec job) {
        List<Precision> options = new ArrayList<>();
        if (job.precisionPolicy() == PrecisionPolicy.PER_SHARD) {
            options.add(null);
        } else {
            options.addAll(job.precisions());
        }
        return options;
    }

    private static Precision worstPrecision(JobSpec job, List<ChipType> eligible) {
        boolean fp32 = eligible.stream().map(c -> c.bestOf(job.precisions()).orElse(Precision.BF16))
                .anyMatch(p -> p == Precision.FP32 || p == Precision.TF32);
        return fp32 ? Precision.FP32 : Precision.BF16;
    }

    static Map<String, ChipType> presentChips(ClusterSnapshot snapshot) {
        Map<String, ChipType> present = new LinkedHashMap<>();
        for (String id : snapshot.chipTypes()) {
            snapshot.catalog().byId(id).ifPresent(c -> present.put(id, c));
        }
        return present;
    }

    /** The first veto of {@code chip}: the runtime check sees the whole snapshot, the later ones what the job may use. */
    private static Optional<Veto> firstVeto(ChipType chip, JobSpec job, ClusterSnapshot s, ClusterSnapshot usable,
                                            PlacementPolicy p) {
        for (ChipCheck check : CHECKS) {
            Optional<Veto> v = check.check(chip, job, check instanceof AllowedChipCheck || check instanceof ContainerRuntimeCheck
                    ? s : usable, p);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static Unschedulable unschedulable(SlotSource source, JobSpec job, PlacementPolicy policy,
                                               Map<String, ChipType> present, List<ChipType> eligible,
                                               Map<String, Veto> vetoes) {
        List<Veto> all = new ArrayList<>(vetoes.values());
        String summary;
        if (present.isEmpty()) {
            summary = "no free, healthy devices on any ready node";
            all.add(new Veto("*", VetoReason.INSUFFICIENT_DEVICES, summary));
        } else if (eligible.isEmpty()) {
            summary = "no chip type can take a shard: " + all;
        } else {
            int slots = 0;
            for (Precision p : precisionOptions(job)) {
                slots = Math.max(slots, source.count(job, eligible, p, policy.throughput()));
            }
            boolean capBinds = slots >= job.shards().min();
            summary = capBinds
                    ? String.format(Locale.ROOT, "%d shards fit, but not within maxVendorShare %.2f and minVendors %d",
                            slots, policy.maxVendorShare(job), policy.minVendors(job))
                    : "needs at least " + job.shards().min() + " shards of " + job.devicesPerShard()
                            + " devices; free capacity holds " + slots;
            VetoReason reason = capBinds ? VetoReason.VENDOR_CAP : VetoReason.INSUFFICIENT_DEVICES;
            String detail = summary;
            eligible.forEach(c -> all.add(new Veto(c.id(), reason, detail)));
        }
        List<ChipReport> reports = all.stream().filter(v -> !v.chipType().equals("*"))
                .map(v -> new ChipReport(v.chipType(), 0, null, null, v)).toList();
        return new Unschedulable(summary, all, reports);
    }
}
