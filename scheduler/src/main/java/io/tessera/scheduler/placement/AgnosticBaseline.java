package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Baseline (b), for benchmarks: heterogeneity-agnostic placement. Shards go on whatever devices
 * are free, in node order, up to the maximum, at a precision all of them support, and every shard
 * gets an equal part of the batch, so the slowest shard sets the pace.
 */
public final class AgnosticBaseline implements Placer {
    @Override
    public PlacementResult place(ClusterSnapshot snapshot, String jobId, JobSpec job, PlacementPolicy policy) {
        List<ChipType> types = new ArrayList<>(PlacementEngine.presentChips(snapshot).values());
        types.removeIf(c -> new MemoryCheck().check(c, job, snapshot, policy).isPresent());
        Precision common = job.precisions().stream().filter(p -> types.stream().allMatch(c -> c.supports(p)))
                .findFirst().orElse(null);
        if (common == null || types.isEmpty()) {
            return new Unschedulable("no precision common to every free chip", List.of(), List.of());
        }
        List<Slot> slots = new ArrayList<>(SlotSource.slots(snapshot, job, types, common, policy.throughput()));
        slots.sort(Comparator.comparing((Slot s) -> s.node().name()).thenComparing(s -> s.devices().get(0)));
        int n = (int) Math.min(Math.min(job.shards().max(), job.globalBatch()), slots.size());
        if (n < job.shards().min()) {
            return new Unschedulable("not enough free devices", List.of(), List.of());
        }
        Selection sel = GangSearch.evaluate(slots.subList(0, n), job, new LinkModel(policy.network()),
                LinkModel.gradientBytes(job, common));
        return PlanBuilder.build(sel, job, policy, PlanBuilder.Split.EQUAL);
    }
}
