package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.ShardAssignment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvironmentTest {
    private static ShardAssignment shard(String vendor, String visibility, int localRank, Map<String, String> env) {
        return new ShardAssignment("job-1", "j", 3, 8, localRank, 2, 1, List.of("w"), env, List.of(6, 7),
                "chip", vendor, visibility, "bf16", 4, 1, 32, 10, "10.0.0.1", 29501, null, null);
    }

    @Test
    void ascendShardsOnOneNodeGetHcclPortsThatDoNotCollide() {
        Map<String, String> a = WorkerEnvironment.of(shard("huawei", "ASCEND_RT_VISIBLE_DEVICES", 0, Map.of()), "/w");
        Map<String, String> b = WorkerEnvironment.of(shard("huawei", "ASCEND_RT_VISIBLE_DEVICES", 1, Map.of()), "/w");
        assertThat(a).containsEntry("ASCEND_RT_VISIBLE_DEVICES", "6,7").containsEntry("HCCL_IF_BASE_PORT", "60000");
        assertThat(b).containsEntry("HCCL_IF_BASE_PORT", "60064");
        assertThat(a).doesNotContainKey("CUDA_VISIBLE_DEVICES");
    }

    @Test
    void nvidiaShardsFailFastOnPeerErrors() {
        Map<String, String> env = WorkerEnvironment.of(shard("nvidia", "CUDA_VISIBLE_DEVICES", 0, Map.of()), "/w");
        assertThat(env).containsEntry("CUDA_VISIBLE_DEVICES", "6,7").containsEntry("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1")
                .containsEntry("LOCAL_RANK", "0").containsEntry("RANK", "3").containsEntry("TESSERA_DEVICE_COUNT", "2");
    }

    @Test
    void aPluginsOwnVariableAndTheJobsOwnHintsWin() {
        Map<String, String> env = WorkerEnvironment.of(shard("acme", "ACME_VISIBLE_DEVICES", 0, Map.of()), "/w",
                "TPX_DEVICES", null);
        assertThat(env).containsEntry("TPX_DEVICES", "6,7").doesNotContainKey("ACME_VISIBLE_DEVICES");
        Map<String, String> tuned = WorkerEnvironment.of(shard("huawei", "ASCEND_RT_VISIBLE_DEVICES", 1,
                Map.of("HCCL_IF_BASE_PORT", "50000")), "/w");
        assertThat(tuned).containsEntry("HCCL_IF_BASE_PORT", "50000");
    }
}
