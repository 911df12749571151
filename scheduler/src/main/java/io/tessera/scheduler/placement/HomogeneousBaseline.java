package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Baseline (a), for benchmarks: homogeneous placement as Kueue's flavor fungibility does it. The
 * whole job goes on one chip type; types are tried fastest first, and the first that can hold at
 * least the minimum shard count takes as many shards as it has, up to the maximum. Equal batches.
 */
public final class HomogeneousBaseline implements Placer {
    @Override
    public PlacementResult place(ClusterSnapshot snapshot, String jobId, JobSpec job, PlacementPolicy policy) {
        List<ChipType> types = new ArrayList<>(PlacementEngine.presentChips(snapshot).values());
        types.removeIf(c -> c.bestOf(job.precisions()).isEmpty()
                || new MemoryCheck().check(c, job, snapshot, policy).isPresent());
        types.sort(Comparator.comparingDouble((ChipType c) ->
                -policy.throughput().shardSamplesPerSec(c, c.bestOf(job.precisions()).orElseThrow(), job)));
        LinkModel link = new LinkModel(policy.network());
        int max = (int) Math.min(job.shards().max(), job.globalBatch());
        for (ChipType chip : types) {
            Precision p = chip.bestOf(job.precisions()).orElseThrow();
            List<Slot> slots = SlotSource.slots(snapshot, job, List.of(chip), p, policy.throughput());
            if (slots.size() >= job.shards().min()) {
                Selection sel = GangSearch.evaluate(slots.subList(0, Math.min(max, slots.size())), job, link,
                        LinkModel.gradientBytes(job, p));
                return PlanBuilder.build(sel, job, policy, PlanBuilder.Split.EQUAL);
            }
        }
        return new Unschedulable("no single chip type can hold " + job.shards().min() + " shards", List.of(), List.of());
    }
}
