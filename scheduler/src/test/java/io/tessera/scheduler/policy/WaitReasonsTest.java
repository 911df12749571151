package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.DeviceReport;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.NodeState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Regression: an H20-only job whose H20s were busy or drained was told only that the other chips were "not allowed". */
class WaitReasonsTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();

    private static NodeRecord node(String name, String chip, int devices, NodeState state, boolean drained, int sick) {
        List<DeviceReport> d = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            d.add(DeviceReport.basic(i, name + i, chip, chip, 96, i >= sick, i < sick ? "ECC" : null));
        }
        return new NodeRecord(name, "10.0.0.1", Map.of(), d, state, "t", 0, drained);
    }

    private static ShardAssignment shard(String job, List<Integer> devices) {
        return ShardAssignment.builder(job, 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("w"), Map.of())
                .devices(devices, "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("a", 1, null).build();
    }

    private static JobSpec spec(String extra) {
        return new JobSpecParser(CATALOG).parse(("name: w\ncommand: [w]\nshards: 1\ndevicesPerShard: 8\nflopsPerSample: 1\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 1\n" + extra).getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    @Test
    void theChipTypesThatWouldTakeTheJobSayWhyTheyCannotNow() {
        var nodes = List.of(node("h1", "nvidia-h20", 8, NodeState.READY, false, 0), node("h2", "nvidia-h20", 8,
                NodeState.READY, true, 0), node("h3", "nvidia-h20", 8, NodeState.LOST, false, 0),
                node("h4", "nvidia-h20", 2, NodeState.READY, false, 1), node("a1", "ascend-910b", 8, NodeState.READY, false, 0));
        var sets = Map.of("h1", new AssignmentSet("h1", 1, List.of(shard("job-big", List.of(0, 1, 2, 3, 4, 5)),
                shard("job-small", List.of(6)))));
        WaitReasons.Fleet fleet = WaitReasons.count(nodes, sets);
        assertThat(WaitReasons.blockers(spec("chipTypes: [nvidia-h20]\n"), CATALOG, fleet)).isEqualTo(
                "nvidia-h20: 26 devices: 2 free, 7 busy (job-big 6, job-small 1), 8 on drained nodes, 1 unhealthy, 8 on lost nodes");
        assertThat(WaitReasons.blockers(spec(""), CATALOG, fleet)).startsWith("ascend-910b: 8 devices: 8 free; nvidia-h20:");
        // FP8 only: no chip of this fleet has it
        assertThat(WaitReasons.blockers(spec("precisions: [fp8]\nchipTypes: [ascend-910b]\n"), CATALOG, fleet))
                .startsWith("no chip type of this fleet would take it");
    }
}
