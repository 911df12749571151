package io.tessera.scheduler.policy;

import java.util.HashMap;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a running gang's batch is re-split by measured speed, and what the new split is. */
class RebalancePolicyTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final JobSpec JOB = new JobSpecParser(CATALOG).parse(("name: j\ncommand: [w]\nshards: 3\n"
            + "devicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 256\n")
            .getBytes(StandardCharsets.UTF_8), "application/yaml");

    /** Three shards split 105/98/53 by predicted rates 40/37.3/20.2. */
    private static Plan plan(int version) {
        List<ShardPlan> shards = List.of(shard(0, "ascend-910b", 105, 40.0), shard(1, "acme-tpx1", 98, 37.3),
                shard(2, "nvidia-h20", 53, 20.2));
        Plan p = new Plan(Precision.BF16, shards, 100, 2.6, 0.01, Map.of(), List.of());
        for (int v = 0; v < version; v++) {
            p = p.resplit(shards, 100, 2.6);
        }
        return p;
    }

    private static ShardPlan shard(int rank, String chip, int samples, double rate) {
        return new ShardPlan(rank, "n" + rank, "10.0.0." + rank, chip, "v" + rank, List.of(0), Precision.BF16, samples, 1, rate);
    }

    private static Map<Integer, ShardReport> measured(Integer split, double... rates) {
        Map<Integer, ShardReport> out = new HashMap<>();
        for (int i = 0; i < rates.length; i++) {
            out.put(i, new ShardReport("j", i, 1, ShardPhase.RUNNING, null, 1L, null, null,
                    new ShardReport.Progress(10L, 100L, rates[i], null, split, null)));
        }
        return out;
    }

    @Test
    void aShardSlowerThanPredictedGetsFewerSamplesAndTheSpreadCloses() {
        Optional<RebalancePolicy.Rebalance> r = RebalancePolicy.decide(JOB, plan(0), measured(0, 28.0, 37.3, 20.2),
                0.05, CATALOG, 0.1);
        assertThat(r).isPresent();
        Plan next = r.get().plan();
        assertThat(next.splitVersion()).isEqualTo(1);
        assertThat(next.shards().stream().mapToLong(ShardPlan::samplesPerStep).sum()).isEqualTo(256);
        assertThat(next.shards().get(0).samplesPerStep()).isLessThan(105);
        assertThat(next.shards().get(0).samplesPerSec()).isEqualTo(28.0); // the prediction is now the measurement
        assertThat(r.get().spreadBefore()).isGreaterThan(0.25);
        assertThat(r.get().spreadAfter()).isLessThan(0.05);
        assertThat(next.predictedSamplesPerSec()).isGreaterThan(r.get().measuredBefore());
        assertThat(next.shards()).extracting(ShardPlan::node).containsExactly("n0", "n1", "n2"); // same gang
    }

    @Test
    void withinToleranceOrWithoutEveryShardMeasuredUnderTheCurrentSplitNothingChanges() {
        assertThat(RebalancePolicy.decide(JOB, plan(0), measured(0, 39.0, 37.3, 20.2), 0.05, CATALOG, 0.1))
                .as("a 2.5% spread is within 5%").isEmpty();
        assertThat(RebalancePolicy.decide(JOB, plan(1), measured(0, 28.0, 37.3, 20.2), 0.05, CATALOG, 0.1))
                .as("measured under the previous split").isEmpty();
        assertThat(RebalancePolicy.decide(JOB, plan(0), measured(null, 28.0, 37.3, 20.2), 0.05, CATALOG, 0.1))
                .as("a worker that does not say its split cannot adopt one").isEmpty();
        Map<Integer, ShardReport> two = measured(0, 28.0, 37.3);
        assertThat(RebalancePolicy.decide(JOB, plan(0), two, 0.05, CATALOG, 0.1)).as("a shard not measured yet").isEmpty();
        assertThat(RebalancePolicy.decide(JOB, plan(0), measured(0, 28.0, 37.3, 20.2), 0, CATALOG, 0.1))
                .as("tolerance 0 switches it off").isEmpty();
    }

    @Test
    void theNewSplitIsJudgedOnItsOwnMeasurements() {
        Plan first = RebalancePolicy.decide(JOB, plan(0), measured(0, 28.0, 37.3, 20.2), 0.05, CATALOG, 0.1)
                .orElseThrow().plan();
        double[] rates = first.shards().stream().mapToDouble(ShardPlan::samplesPerSec).toArray();
        assertThat(RebalancePolicy.decide(JOB, first, measured(1, rates), 0.05, CATALOG, 0.1))
                .as("the measurements it was made from now agree").isEmpty();
    }
}
