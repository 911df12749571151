package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.NetworkConfig;
import io.tessera.config.Precision;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shard rung's choice of new devices, as a pure function. */
class ShardReplacementTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private static final Plan PLAN = new Plan(Precision.BF16, List.of(
            new ShardPlan(0, "a", "10.0.0.1", "nvidia-h20", "nvidia", List.of(0, 1), Precision.BF16, 8, 2, 40),
            new ShardPlan(1, "b", "10.0.0.2", "nvidia-h20", "nvidia", List.of(0, 1), Precision.BF16, 8, 2, 40),
            new ShardPlan(2, "c", "10.0.0.3", "ascend-910b", "huawei", List.of(4, 5), Precision.BF16, 8, 2, 40)),
            120, 0.3, 0.01, Map.of("nvidia", 0.67, "huawei", 0.33), List.of());

    private static NodeView node(String name, String chip, Integer... free) {
        return new NodeView(name, "10.0.1." + name.length(), Map.of(), Map.of(chip, List.of(free)));
    }

    private static Optional<Plan> replace(Set<Integer> lost, NodeView... free) {
        return ShardReplacement.replace(PLAN, lost, new ClusterSnapshot(CATALOG, List.of(free)),
                id -> CATALOG.byId(id).orElseThrow(), NetworkConfig.DEFAULT);
    }

    @Test
    void aLostShardMovesAloneToFreeDevicesOfItsChipTypeKeepingItsRankAndBatch() {
        Plan p = replace(Set.of(1), node("x", "ascend-910b", 0, 1, 2, 3), node("y", "nvidia-h20", 3, 5, 6)).orElseThrow();
        assertThat(p.shards().get(1)).satisfies(s -> {
            assertThat(s.node()).isEqualTo("y");
            assertThat(s.devices()).containsExactly(3, 5);
            assertThat(s.chipType()).isEqualTo("nvidia-h20");
            assertThat(s.microBatch()).isEqualTo(8);
            assertThat(s.accumulation()).isEqualTo(2);
        });
        assertThat(p.shards().get(0)).isEqualTo(PLAN.shards().get(0));
        assertThat(p.shards().get(2)).isEqualTo(PLAN.shards().get(2));
        assertThat(p.predictedSamplesPerSec()).isEqualTo(PLAN.predictedSamplesPerSec());
        assertThat(p.communication().groupOf(1).orElseThrow().ranks()).contains(0, 1);
    }

    @Test
    void twoLostShardsNeverShareADeviceAndWhatFitsNowhereClimbsTheLadder() {
        Plan p = replace(Set.of(0, 1), node("y", "nvidia-h20", 0, 1, 2, 3)).orElseThrow();
        assertThat(p.shards().get(0).devices()).containsExactly(0, 1);
        assertThat(p.shards().get(1).devices()).containsExactly(2, 3);
        assertThat(replace(Set.of(0, 1), node("y", "nvidia-h20", 0, 1, 2))).as("three devices for two shards of two")
                .isEmpty();
        assertThat(replace(Set.of(2), node("y", "nvidia-h20", 0, 1, 2, 3))).as("no Ascend device free").isEmpty();
        assertThat(replace(Set.of(), node("y", "nvidia-h20", 0, 1))).as("nothing lost").isEmpty();
    }
}
