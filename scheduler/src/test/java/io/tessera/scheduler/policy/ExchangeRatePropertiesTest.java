package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.tessera.config.ChipCatalog;
import io.tessera.config.ChipType;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Exchange rates between chip models, proven over generated mixed fleets and jobs: quotas and fair
 * share are charged in normalized TFLOPS at the chips a job holds, so how a team labels its job
 * (a chip type, another chip type, a generic request, declared efficiencies, FP8) changes what it
 * pays only by changing what it holds.
 */
class ExchangeRatePropertiesTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final List<String> CHIPS = List.of("nvidia-h20", "ascend-910b", "nvidia-h100", "acme-tpx1");
    private static final JobSpecParser PARSER = new JobSpecParser(CATALOG);
    private final PlacementEngine engine = new PlacementEngine();

    private static ClusterSnapshot fleet(int[] nodesPerChip) {
        List<NodeView> nodes = new ArrayList<>();
        for (int c = 0; c < CHIPS.size(); c++) {
            for (int i = 0; i < nodesPerChip[c]; i++) {
                nodes.add(new NodeView(CHIPS.get(c) + "-" + i, "10.0." + c + "." + i, Map.of(),
                        Map.of(CHIPS.get(c), IntStream.range(0, 8).boxed().toList())));
            }
        }
        return new ClusterSnapshot(CATALOG, nodes);
    }

    private static JobSpec spec(int shards, String label) {
        return PARSER.parse(("name: x\ncommand: [w]\nshards: {min: 1, max: " + shards + "}\ndevicesPerShard: 8\n"
                + "model: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 512\n" + label)
                .getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    /** What the chips a plan holds are worth: each device at its chip's normalized rate at its shard's precision. */
    private static double heldRate(Plan plan) {
        double sum = 0;
        for (ShardPlan s : plan.shards()) {
            ChipType chip = CATALOG.byId(s.chipType()).orElseThrow();
            double bf16Equivalent = s.precision() == Precision.FP8 || s.precision() == Precision.INT8 ? 0.5 : 1.0;
            sum += s.devices().size() * chip.deviceTflops(s.precision()) * bf16Equivalent * chip.efficiency();
        }
        return sum;
    }

    private static JobRecord running(String id, JobSpec spec, Plan plan) {
        return new JobRecord(new JobRecord.Identity(id, 1, "u", "t"), spec,
                new JobRecord.Lifecycle(JobState.RUNNING, false, 1, 0, 0), plan, List.of(), null, List.of());
    }

    /** Every label a team might give the same job, each as a spec fragment. */
    private static List<String> labels(int cheap, int other) {
        return List.of("", "chipTypes: [" + CHIPS.get(cheap) + "]\n", "chipTypes: [" + CHIPS.get(other) + "]\n",
                "chipTypes: [" + CHIPS.get(cheap) + ", " + CHIPS.get(other) + "]\n",
                "efficiency: {" + CHIPS.get(other) + ": 0.05" + (cheap == other ? "" : ", " + CHIPS.get(cheap) + ": 0.05")
                        + "}\n",
                "precisions: [fp8, bf16]\n");
    }

    @Property(tries = 200)
    void whateverTheLabelAJobIsChargedTheRateOfTheChipsItHolds(
            @ForAll @IntRange(min = 0, max = 3) int a, @ForAll @IntRange(min = 0, max = 3) int b,
            @ForAll @IntRange(min = 0, max = 4) int n0, @ForAll @IntRange(min = 0, max = 4) int n1,
            @ForAll @IntRange(min = 0, max = 4) int n2, @ForAll @IntRange(min = 0, max = 4) int n3,
            @ForAll @IntRange(min = 1, max = 8) int shards) {
        ClusterSnapshot fleet = fleet(new int[] {n0, n1, n2, n3});
        for (String label : labels(a, b)) {
            JobSpec spec = spec(shards, label);
            PlacementResult r = engine.place(fleet, "x", spec, PlacementPolicy.DEFAULT);
            if (r instanceof Plan plan) {
                QuotaCharge charge = QuotaCharge.of(plan, CATALOG);
                assertThat(charge.tflops()).as(label).isCloseTo(heldRate(plan), offset(1e-6));
                QueueUsage usage = QueueUsage.of(List.of(running("j", spec, plan)), CATALOG);
                assertThat(usage.of(spec.queue()).tflops()).as("fair share counts what quota charges: " + label)
                        .isCloseTo(charge.tflops(), offset(1e-6));
                for (ShardPlan s : plan.shards()) {
                    assertThat(charge.devices().get(s.chipType())).isPositive();
                }
            }
        }
    }

    @Property(tries = 200)
    void twoJobsOnTheSameChipsPayTheSameWhateverTheyAskedFor(
            @ForAll @IntRange(min = 0, max = 3) int a, @ForAll @IntRange(min = 0, max = 3) int b,
            @ForAll @IntRange(min = 1, max = 4) int nodes, @ForAll @IntRange(min = 1, max = 4) int shards) {
        int[] counts = new int[CHIPS.size()];
        counts[a] = nodes;
        ClusterSnapshot fleet = fleet(counts); // one chip type: every label lands on the same chips
        Double first = null;
        for (String label : labels(a, b)) {
            if (label.startsWith("precisions") || (label.contains(CHIPS.get(b)) && !label.contains(CHIPS.get(a)))) {
                continue; // another precision or only another chip type: not the same holding
            }
            if (engine.place(fleet, "x", spec(shards, label), PlacementPolicy.DEFAULT) instanceof Plan plan
                    && plan.shards().size() == Math.min(shards, nodes)) {
                double paid = QuotaCharge.of(plan, CATALOG).tflops();
                first = first == null ? paid : first;
                assertThat(paid).as(label).isCloseTo(first, offset(1e-6));
            }
        }
    }

    @Property(tries = 50)
    void fp8CountsHalfSoAChipIsWorthTheSameAtEitherPrecision(@ForAll @IntRange(min = 0, max = 3) int c) {
        ChipType chip = CATALOG.byId(CHIPS.get(c)).orElseThrow();
        double fp8 = chip.deviceTflops(Precision.FP8);
        double bf16 = chip.deviceTflops(Precision.BF16);
        if (fp8 > 0 && Math.abs(fp8 - 2 * bf16) < 1e-9) {
            assertThat(QuotaCharge.perDevice(chip, Precision.FP8)).isEqualTo(QuotaCharge.perDevice(chip, Precision.BF16));
        }
        assertThat(QuotaCharge.perDevice(chip, Precision.FP8)).isLessThanOrEqualTo(
                Math.max(QuotaCharge.perDevice(chip, Precision.BF16), 0.5 * fp8 * chip.efficiency()) + 1e-9);
    }
}
