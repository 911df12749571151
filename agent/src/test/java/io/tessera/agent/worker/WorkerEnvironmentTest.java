package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardAssignment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvironmentTest {
    private static ShardAssignment shard(String vendor, String visibility, int localRank, Map<String, String> env) {
        return shard("job-1", vendor, visibility, localRank, List.of(6, 7), env);
    }

    private static ShardAssignment shard(String job, String vendor, String visibility, int localRank,
                                         List<Integer> devices, Map<String, String> env) {
        return ShardAssignment.builder(job, 3).jobName("j").gang(8, localRank, 2).attempt(1)
                .command(List.of("w"), env)
                .devices(devices, "chip", vendor, visibility)
                .batch("bf16", 4, 1, 32, 10)
                .rendezvous("10.0.0.1", 29501, null).build();
    }

    /** Regression: the port came from the local rank, so the first shards of two jobs on one node both got 60000. */
    @Test
    void ascendShardsOnOneNodeGetHcclPortsThatDoNotCollideEvenAcrossJobs() {
        String vis = "ASCEND_RT_VISIBLE_DEVICES";
        Map<String, String> a = WorkerEnvironment.of(shard("job-1", "huawei", vis, 0, List.of(0, 1), Map.of()), "/w");
        Map<String, String> b = WorkerEnvironment.of(shard("job-1", "huawei", vis, 1, List.of(2, 3), Map.of()), "/w");
        Map<String, String> c = WorkerEnvironment.of(shard("job-2", "huawei", vis, 0, List.of(6, 7), Map.of()), "/w");
        assertThat(a).containsEntry(vis, "0,1").containsEntry("HCCL_IF_BASE_PORT", "60000");
        assertThat(b).containsEntry("HCCL_IF_BASE_PORT", "60128");
        assertThat(c).containsEntry("HCCL_IF_BASE_PORT", "60384");
        assertThat(a).doesNotContainKey("CUDA_VISIBLE_DEVICES");
    }

    @Test
    void theCommunicationPlanArrivesAsThisShardsGroupBridgeAndInterfaces() {
        CommPlan plan = new CommPlan(29600, List.of(
                new CommPlan.Group(0, "huawei", "hccl", List.of(0, 1, 2), 0, "10.0.0.1", 29602),
                new CommPlan.Group(1, "nvidia", "nccl", List.of(3, 4), 3, "10.0.0.2", 29603)),
                new CommPlan.Bridge("gloo", List.of(0, 3), "10.0.0.1", 29601),
                Map.of("n2", Map.of("NCCL_SOCKET_IFNAME", "ib0", "GLOO_SOCKET_IFNAME", "ib0")));
        ShardAssignment a = shard("nvidia", "CUDA_VISIBLE_DEVICES", 0, Map.of("GLOO_SOCKET_IFNAME", "eth9"));
        ShardAssignment withPlan = ShardAssignment.builder(a.jobId(), 4).jobName(a.jobName()).gang(5, 1, 2).attempt(1)
                .command(a.argv(), a.env())
                .devices(a.devices(), a.chipType(), a.vendor(), a.visibilityEnv())
                .batch(a.precision(), 4, 1, 32, 10)
                .rendezvous("10.0.0.1", 29600, plan).build();
        Map<String, String> env = WorkerEnvironment.of(withPlan, "/w");
        assertThat(env).containsEntry("TESSERA_COMM_GROUP", "1").containsEntry("TESSERA_COMM_LIBRARY", "nccl")
                .containsEntry("TESSERA_COMM_GROUP_RANKS", "3,4").containsEntry("TESSERA_COMM_GROUP_RANK", "1")
                .containsEntry("TESSERA_COMM_GROUP_LEADER", "3").containsEntry("TESSERA_COMM_IS_LEADER", "0")
                .containsEntry("TESSERA_COMM_GROUP_ADDR", "10.0.0.2").containsEntry("TESSERA_COMM_GROUP_PORT", "29603")
                .containsEntry("TESSERA_COMM_BRIDGE", "gloo").containsEntry("TESSERA_COMM_BRIDGE_RANKS", "0,3")
                .containsEntry("TESSERA_COMM_BRIDGE_PORT", "29601").containsEntry("TESSERA_COMM_GROUPS", "2")
                .containsEntry("NCCL_SOCKET_IFNAME", "ib0")
                .containsEntry("GLOO_SOCKET_IFNAME", "eth9"); // the job's own setting wins over the node's hint
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

    /** Regression: a torchrun script got no GROUP_RANK, TORCHELASTIC_* or OMP_NUM_THREADS as torchrun sets them. */
    @Test
    void aTorchrunScriptFindsWhatTorchrunSets() {
        ShardAssignment a = ShardAssignment.builder("job-9", 3).jobName("j").gang(8, 1, 2).attempt(3).nodes(1, 4)
                .command(List.of("w"), Map.of()).devices(List.of(0), "chip", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 4, 1, 32, 10).rendezvous("10.0.0.1", 29501, null).build();
        Map<String, String> env = WorkerEnvironment.of(a, "/w/shard-3");
        assertThat(env).containsEntry("GROUP_RANK", "1").containsEntry("GROUP_WORLD_SIZE", "4")
                .containsEntry("ROLE_RANK", "3").containsEntry("ROLE_WORLD_SIZE", "8").containsEntry("ROLE_NAME", "default")
                .containsEntry("TORCHELASTIC_RUN_ID", "job-9").containsEntry("TORCHELASTIC_RESTART_COUNT", "2")
                .containsEntry("TORCHELASTIC_USE_AGENT_STORE", "False")
                .containsEntry("TORCHELASTIC_ERROR_FILE", "/w/shard-3/torchelastic-error-3.json")
                .containsEntry("OMP_NUM_THREADS", "1");
        ShardAssignment alone = ShardAssignment.builder("job-9", 0).gang(1, 0, 1).command(List.of("w"), Map.of("OMP_NUM_THREADS", "8"))
                .devices(List.of(0), "chip", "nvidia", "CUDA_VISIBLE_DEVICES").batch("bf16", 4, 1, 32, 10)
                .rendezvous("10.0.0.1", 29501, null).build();
        assertThat(WorkerEnvironment.of(alone, "/w")).as("the job's own setting stays").containsEntry("OMP_NUM_THREADS", "8")
                .as("an older scheduler's assignment names no nodes").doesNotContainKey("GROUP_RANK");
    }

    /** Regression: workers inherited root's PATH, entries the job's uid cannot enter. */
    @Test
    void aWorkersPathKeepsOnlyWhatItsUserCanEnter() {
        Map<String, String> env = WorkerEnvironment.base(Path.of("/home/w"), "w",
                dir -> !dir.toString().startsWith("/root"));
        assertThat(env.get("PATH")).doesNotContain("/root");
        assertThat(WorkerEnvironment.base(Path.of("/home/w"), "w", dir -> false).get("PATH"))
                .isEqualTo(WorkerEnvironment.DEFAULT_PATH);
    }
}
