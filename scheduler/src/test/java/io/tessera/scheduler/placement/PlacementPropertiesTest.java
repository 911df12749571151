package io.tessera.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.JobSpec;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Invariants of the batch split and of every plan, over generated clusters and jobs. */
class PlacementPropertiesTest {
    private static final List<String> CHIPS = List.of("ascend-910b", "ascend-910b3", "nvidia-h20", "nvidia-h100",
            "nvidia-a100", "acme-tpx1", "ascend-910c");

    @Property(tries = 1000)
    void batchSplitSumsExactlyAndMinimisesTheSlowestStep(
            @ForAll @LongRange(min = 0, max = 100_000) long extra,
            @ForAll @Size(min = 1, max = 64) List<@net.jqwik.api.constraints.DoubleRange(min = 0.1, max = 1000) Double> w) {
        long total = w.size() + extra;
        double[] rates = w.stream().mapToDouble(Double::doubleValue).toArray();
        long[] parts = BatchSplit.proportional(total, rates);
        double sum = w.stream().mapToDouble(Double::doubleValue).sum();
        long got = 0;
        double slowest = 0;
        int slowestShard = -1;
        for (int i = 0; i < parts.length; i++) {
            got += parts[i];
            assertThat(parts[i]).isGreaterThanOrEqualTo(1);
            if (parts[i] / rates[i] > slowest) {
                slowest = parts[i] / rates[i];
                slowestShard = i;
            }
        }
        assertThat(got).isEqualTo(total);
        double bound = (total + parts.length) / sum;
        if (w.stream().allMatch(r -> r * bound >= 1)) {
            assertThat(slowest).isLessThanOrEqualTo(bound * (1 + 1e-12));
        }
        if (parts[slowestShard] > 1) {
            // Moving one sample off the slowest shard onto any other would not finish sooner.
            for (int i = 0; i < parts.length; i++) {
                if (i != slowestShard) {
                    assertThat((parts[i] + 1) / rates[i]).isGreaterThanOrEqualTo(slowest * (1 - 1e-12));
                }
            }
        }
    }

    @Property(tries = 300)
    void everyPlanRespectsCapacityGangBatchAndVendorCap(@ForAll("fleets") Map<String, int[]> fleet,
                                                        @ForAll @IntRange(min = 1, max = 6) int min,
                                                        @ForAll @IntRange(min = 0, max = 10) int spread,
                                                        @ForAll("dps") int dps,
                                                        @ForAll @IntRange(min = 40, max = 100) int capPercent) {
        Fleet f = new Fleet();
        Map<String, Integer> capacity = new HashMap<>();
        fleet.forEach((name, spec) -> {
            f.node(name, CHIPS.get(spec[0]), spec[1]);
            capacity.put(name, spec[1]);
        });
        double cap = capPercent / 100.0;
        JobSpec job = Fleet.job(min, min + spread, dps, 4096, "vendorPolicy: {maxVendorShare: " + cap + "}\n");
        PlacementResult r = new PlacementEngine().place(f.snapshot(), "job-p", job, PlacementPolicy.DEFAULT);
        if (!(r instanceof Plan plan)) {
            return;
        }
        Set<String> used = new HashSet<>();
        Map<String, Integer> perNode = new HashMap<>();
        for (ShardPlan s : plan.shards()) {
            assertThat(s.devices()).hasSize(dps);
            s.devices().forEach(d -> assertThat(used.add(s.node() + "/" + d)).as("device used twice").isTrue());
            perNode.merge(s.node(), dps, Integer::sum);
        }
        perNode.forEach((node, n) -> assertThat(n).isLessThanOrEqualTo(capacity.get(node)));
        assertThat(plan.shards().size()).isBetween(min, min + spread);
        assertThat(plan.shards().stream().mapToLong(ShardPlan::samplesPerStep).sum()).isEqualTo(4096);
        plan.vendorShares().values().forEach(s -> assertThat(s).isLessThanOrEqualTo(cap + 1e-9));
        // Step times are equal up to one sample on the slowest shard.
        double slowestRate = plan.shards().stream().mapToDouble(ShardPlan::samplesPerSec).min().orElseThrow();
        double maxStep = plan.shards().stream().mapToDouble(s -> s.samplesPerStep() / s.samplesPerSec()).max().orElseThrow();
        double minStep = plan.shards().stream().mapToDouble(s -> s.samplesPerStep() / s.samplesPerSec()).min().orElseThrow();
        if (plan.shards().stream().allMatch(s -> s.samplesPerStep() > 1)) {
            assertThat(maxStep - minStep).isLessThanOrEqualTo(1 / slowestRate + 1e-9);
        }
        for (ShardPlan s : plan.shards()) {
            double need = MemoryModel.stateGiBPerDevice(job, s.precision())
                    + s.microBatch() * MemoryModel.activationGiBPerDevice(job);
            double have = Fleet.CATALOG.byId(s.chipType()).orElseThrow().deviceHbmGiB() * 0.9;
            assertThat(need).isLessThanOrEqualTo(have + 1e-9);
        }
    }

    @Provide
    Arbitrary<Map<String, int[]>> fleets() {
        Arbitrary<int[]> node = Arbitraries.integers().between(0, CHIPS.size() - 1)
                .flatMap(chip -> Arbitraries.integers().between(0, 8).map(free -> new int[] {chip, free}));
        return Arbitraries.maps(Arbitraries.strings().withCharRange('a', 'z').ofLength(6), node).ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Integer> dps() {
        return Arbitraries.of(1, 2, 4, 8);
    }
}
