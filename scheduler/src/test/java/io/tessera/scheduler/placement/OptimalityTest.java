package io.tessera.scheduler.placement;

import io.tessera.config.ChipType;
import java.util.LinkedHashMap;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.JobSpec;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine against an exhaustive optimum of the same model on small clusters, and against a
 * fractional upper bound on large ones. Seeded, so every run checks the same clusters.
 */
class OptimalityTest {
    static final List<String> CHIPS = List.of("ascend-910b", "ascend-910b3", "ascend-910c", "nvidia-h20",
            "nvidia-h100", "nvidia-a100", "acme-tpx1");
    private final PlacementEngine engine = new PlacementEngine();

    @Test
    void within99PercentOfTheExhaustiveOptimumOn600SolvableSmallClusters() {
        Random random = new Random(20261121);
        int compared = 0;
        int unsolvable = 0;
        double worst = 1;
        for (int i = 0; compared < 600 && i < 5000; i++) {
            int dps = random.nextBoolean() ? 1 : 2;
            Fleet fleet = new Fleet();
            int slots = 0;
            for (int n = 0; n < 2 + random.nextInt(4) && slots < 10; n++) {
                int free = Math.min(random.nextInt(5), (10 - slots) * dps);
                fleet.node("n" + n, CHIPS.get(random.nextInt(CHIPS.size())), free);
                slots += free / dps;
            }
            JobSpec job = randomJob(random, dps);
            PlacementPolicy policy = PlacementPolicy.DEFAULT;
            double optimum = Exhaustive.optimum(fleet.snapshot(), job, policy);
            PlacementResult r = engine.place(fleet.snapshot(), "job-" + i, job, policy);
            if (optimum == 0) {
                assertThat(r).as("cluster %d: the oracle finds no gang", i).isInstanceOf(PlacementResult.Unschedulable.class);
                unsolvable++;
                continue;
            }
            assertThat(r).as("cluster %d: the oracle finds a gang (%s) for %s on %s", i, optimum, job, fleet.snapshot().nodes()).isInstanceOf(Plan.class);
            double ratio = ((Plan) r).predictedSamplesPerSec() / optimum;
            worst = Math.min(worst, ratio);
            compared++;
            assertThat(ratio).as("cluster %d", i).isGreaterThanOrEqualTo(0.99);
        }
        assertThat(compared).isEqualTo(600);
        System.out.printf("exhaustive comparison: %d solvable clusters (and %d the oracle and the engine both "
                + "found unschedulable), worst ratio %.4f%n", compared, unsolvable, worst);
    }

    private static JobSpec randomJob(Random random, int dps) {
        int min = 1 + random.nextInt(3);
        int max = min + random.nextInt(6);
        String params = List.of("350M", "1.3B", "7B", "13B").get(random.nextInt(4));
        double cap = List.of(1.0, 1.0, 0.75, 0.6, 0.5).get(random.nextInt(5));
        int minVendors = random.nextInt(4) == 0 ? 2 : 1;
        String precisions = random.nextBoolean() ? "[fp8, bf16]" : "[bf16]";
        return Fleet.job("name: t\ncommand: [w]\nshards: {min: " + min + ", max: " + max + "}\ndevicesPerShard: "
                + dps + "\nmodel: {parameters: " + params + ", tokensPerSample: 2048}\nglobalBatch: "
                + (64 + random.nextInt(1024)) + "\nprecisions: " + precisions + "\nvendorPolicy: {maxVendorShare: "
                + cap + ", minVendors: " + minVendors + "}\n");
    }

    @Test
    void within97PercentOfTheFractionalUpperBoundOnLargeClusters() {
        Random random = new Random(7);
        double worst = 1;
        for (int i = 0; i < 20; i++) {
            Fleet fleet = new Fleet();
            int nodes = 200 + random.nextInt(800);
            for (int n = 0; n < nodes; n++) {
                fleet.node(String.format("n%04d", n), CHIPS.get(random.nextInt(CHIPS.size())), 8 - 2 * random.nextInt(3));
            }
            int min = 8 + random.nextInt(32);
            int max = min + random.nextInt(256);
            // Realistic per-shard batches (64 or more samples a step); integer rounding costs about n / 2B.
            JobSpec job = Fleet.job("name: t\ncommand: [w]\nshards: {min: " + min + ", max: " + max
                    + "}\ndevicesPerShard: 4\nmodel: {parameters: " + List.of("1.3B", "7B", "13B").get(random.nextInt(3))
                    + ", tokensPerSample: 4096}\nglobalBatch: " + (64 * max + random.nextInt(8192)) + "\nprecisions: [fp8, bf16]\n");
            Plan plan = (Plan) engine.place(fleet.snapshot(), "job-" + i, job, PlacementPolicy.DEFAULT);
            double bound = upperBound(fleet.snapshot(), job, PlacementPolicy.DEFAULT);
            double ratio = plan.predictedSamplesPerSec() / bound;
            worst = Math.min(worst, ratio);
            assertThat(ratio).as("cluster %d", i).isBetween(0.97, 1.0 + 1e-9);
        }
        System.out.printf("fractional upper bound: 20 large clusters, worst ratio %.4f%n", worst);
    }

    /**
     * The fractional optimum of the model without vendor caps: the batch split fractionally, and
     * for every scope a gang can have (one node, one vendor, or any) the n fastest slots of that
     * scope with the all-reduce over the span those slots really have.
     */
    static double upperBound(ClusterSnapshot snapshot, JobSpec job, PlacementPolicy policy) {
        LinkModel link = new LinkModel(policy.network());
        double best = 0;
        List<ChipType> eligible = new ArrayList<>(PlacementEngine.presentChips(snapshot).values());
        int max = (int) Math.min(job.shards().max(), job.globalBatch());
        for (Precision p : job.precisions()) {
            List<Slot> all = SlotSource.slots(snapshot, job, eligible, p, policy.throughput());
            double grad = LinkModel.gradientBytes(job, p);
            Map<String, List<Slot>> scopes = new LinkedHashMap<>();
            scopes.put("*", all);
            all.forEach(s -> scopes.computeIfAbsent("v:" + s.vendor(), k -> new ArrayList<>()).add(s));
            all.forEach(s -> scopes.computeIfAbsent("n:" + s.node().name(), k -> new ArrayList<>()).add(s));
            for (List<Slot> scope : scopes.values()) {
                for (int n = job.shards().min(); n <= Math.min(max, scope.size()); n++) {
                    Selection sel = GangSearch.evaluate(scope.subList(0, n), job, link, grad);
                    best = Math.max(best, sel.throughput());
                }
            }
        }
        return best;
    }
}
