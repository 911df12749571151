package io.tessera.scheduler.policy;

import java.util.HashMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.Precision;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.CatalogThroughputModel;
import io.tessera.scheduler.placement.ShardPlan;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The learned factor: median over a chip type's shards, smoothed by an EWMA, keyed by profileKey or name. */
class EfficiencyLearningTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();

    private static JobSpec job(String extra) {
        return new JobSpecParser(CATALOG).parse(("name: bert\ncommand: [w]\nshards: 3\ndevicesPerShard: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 256\n" + extra).getBytes(StandardCharsets.UTF_8),
                "application/yaml");
    }

    private static double catalogRate(JobSpec job, String chip) {
        return new CatalogThroughputModel().shardSamplesPerSec(CATALOG.byId(chip).orElseThrow(), Precision.BF16, job);
    }

    private static List<ShardPlan> shards() {
        return List.of(new ShardPlan(0, "a", "a", "ascend-910b", "huawei", List.of(0), Precision.BF16, 80, 1, 1),
                new ShardPlan(1, "b", "b", "ascend-910b", "huawei", List.of(0), Precision.BF16, 80, 1, 1),
                new ShardPlan(2, "c", "c", "ascend-910b", "huawei", List.of(0), Precision.BF16, 96, 1, 1));
    }

    private static Map<Integer, ShardReport> reports(double... rates) {
        Map<Integer, ShardReport> out = new HashMap<>();
        for (int i = 0; i < rates.length; i++) {
            out.put(i, new ShardReport("j", i, 1, ShardPhase.RUNNING, null, 1L, 5L, 9L, null, rates[i], null));
        }
        return out;
    }

    @Test
    void theFirstObservationIsTheMedianAndLaterOnesMoveItByTheLearningRate() {
        JobSpec job = job("");
        double c = catalogRate(job, "ascend-910b");
        ThroughputProfile first = EfficiencyLearning.learn(null, job, shards(), reports(0.7 * c, 0.5 * c, 0.72 * c),
                CATALOG, 0.3, "t1").orElseThrow();
        ThroughputProfile.Estimate e = first.estimates().get("ascend-910b/bf16");
        assertThat(e.factor()).isCloseTo(0.7, within(1e-9)); // the median of 0.5, 0.7, 0.72: one straggler ignored
        assertThat(e.efficiency()).isCloseTo(0.7 * CATALOG.byId("ascend-910b").orElseThrow().efficiency(), within(1e-9));
        assertThat(first.key()).isEqualTo("bert@default");
        ThroughputProfile second = EfficiencyLearning.learn(first, job, shards(), reports(c, c, c), CATALOG, 0.3, "t2")
                .orElseThrow();
        assertThat(second.estimates().get("ascend-910b/bf16").factor()).isCloseTo(0.7 + 0.3 * 0.3, within(1e-9));
        assertThat(second.estimates().get("ascend-910b/bf16").observations()).isEqualTo(2);
    }

    @Test
    void nothingMeasuredTeachesNothingAndAnExplicitProfileKeyNamesTheClass() {
        JobSpec job = job("profileKey: llama-7b-sft\n");
        assertThat(EfficiencyLearning.learn(null, job, shards(), Map.of(), CATALOG, 0.3, "t")).isEmpty();
        assertThat(EfficiencyLearning.key(job)).isEqualTo("llama-7b-sft@default");
        double c = catalogRate(job, "ascend-910b");
        assertThat(EfficiencyLearning.learn(null, job, shards(), reports(c, c, c), CATALOG, 0.3, "t").orElseThrow().key())
                .isEqualTo("llama-7b-sft@default");
    }

    /**
     * Regression (issue 27, N7): profiles were global, keyed by job name, with no clamp, and one job
     * moved another team's factor to 1.3e10. Now a profile is its queue's, a measurement beyond the
     * chip's peak counts as the peak, and one observation moves an estimate at most twofold.
     */
    @Test
    void aWorkerCannotPoisonAnotherQueuesProfileOrClaimMoreThanThePeak() {
        JobSpec mine = job("queue: research\n");
        assertThat(EfficiencyLearning.key(mine)).isNotEqualTo(EfficiencyLearning.key(job("")));
        double c = catalogRate(mine, "ascend-910b");
        double peak = 1.0 / CATALOG.byId("ascend-910b").orElseThrow().efficiency();
        ThroughputProfile poisoned = EfficiencyLearning.learn(null, mine, shards(), reports(1e12, 1e12, 1e12), CATALOG, 0.3,
                "t1").orElseThrow();
        assertThat(poisoned.estimates().get("ascend-910b/bf16").factor()).isCloseTo(peak, within(1e-9));
        assertThat(poisoned.estimates().get("ascend-910b/bf16").efficiency()).isCloseTo(1.0, within(1e-9));
        ThroughputProfile honest = EfficiencyLearning.learn(null, mine, shards(), reports(0.5 * c, 0.5 * c, 0.5 * c),
                CATALOG, 1.0, "t1").orElseThrow();
        ThroughputProfile crashed = EfficiencyLearning.learn(honest, mine, shards(), reports(1e-9, 1e-9, 1e-9), CATALOG, 1.0,
                "t2").orElseThrow();
        assertThat(crashed.estimates().get("ascend-910b/bf16").factor()).as("one observation: at most half")
                .isCloseTo(0.25, within(1e-9));
    }
}
