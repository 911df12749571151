package io.tessera.scheduler.placement;

import io.tessera.config.PrecisionPolicy;
import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Says, for every chip type with free devices, what placement made of it: the shards it carries
 * and their per-shard throughput, or the typed reason it was left out.
 */
final class Explainer {
    private Explainer() {
    }

    static List<ChipReport> explain(Plan plan, JobSpec job, PlacementPolicy policy, Collection<ChipType> present,
                                    Map<String, Veto> vetoes) {
        List<ChipReport> out = new ArrayList<>();
        int max = (int) Math.min(job.shards().max(), job.globalBatch());
        double cap = policy.maxVendorShare(job);
        for (ChipType chip : present) {
            List<ShardPlan> on = plan.shards().stream().filter(s -> s.chipType().equals(chip.id())).toList();
            if (!on.isEmpty()) {
                out.add(new ChipReport(chip.id(), on.size(), on.get(0).precision().wireName(),
                        on.get(0).samplesPerSec(), null));
                continue;
            }
            Veto veto = vetoes.get(chip.id());
            if (veto != null) {
                out.add(new ChipReport(chip.id(), 0, null, null, veto));
                continue;
            }
            boolean uniform = job.precisionPolicy() == PrecisionPolicy.UNIFORM;
            Precision p = uniform ? plan.precision() : chip.bestOf(job.precisions()).orElseThrow();
            if (!chip.supports(p)) {
                Precision own = chip.bestOf(job.precisions()).orElseThrow();
                out.add(new ChipReport(chip.id(), 0, own.wireName(), policy.throughput().shardSamplesPerSec(chip, own, job),
                        new Veto(chip.id(), VetoReason.PRECISION, "lacks the plan's uniform precision " + p.wireName()
                                + "; the plan is faster at " + p.wireName() + " without it")));
                continue;
            }
            double rate = policy.throughput().shardSamplesPerSec(chip, p, job);
            out.add(new ChipReport(chip.id(), 0, p.wireName(), rate, unused(plan, chip, max, cap)));
        }
        return out;
    }

    private static Veto unused(Plan plan, ChipType chip, int max, double cap) {
        if (plan.shards().size() >= max) {
            return new Veto(chip.id(), VetoReason.NOT_NEEDED,
                    "the gang reached its maximum of " + max + " shards with faster chips");
        }
        if (plan.vendorShares().getOrDefault(chip.vendor(), 0.0) >= cap - 1e-6) {
            return new Veto(chip.id(), VetoReason.VENDOR_CAP, "vendor " + chip.vendor() + " is at its cap of " + cap);
        }
        return new Veto(chip.id(), VetoReason.NOT_WORTH_COMMUNICATION,
                "adding its shards would lower predicted throughput: the all-reduce cost outweighs their compute");
    }
}
