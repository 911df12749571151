package io.tessera.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.wire.CommPlan;
import io.tessera.config.wire.ShardAssignment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** N8: which ports a shard serves, who holds them, and the kernel's listening table read as it is. */
class PortGuardTest {
    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:7342 00000000:0000 0A 00000000:00000000 00:00000000 00000000 200034        0 1 1 0 100 0 0 10 0
               1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
               2: 0100007F:7343 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
            """;

    private static ShardAssignment shard(int rank, int worldPort) {
        CommPlan comm = new CommPlan(worldPort, List.of(new CommPlan.Group(0, "nvidia", "nccl", List.of(0, 1), 1, "10.0.0.2",
                worldPort + 2)), new CommPlan.Bridge("gloo", List.of(0, 1), "10.0.0.1", worldPort + 1), Map.of());
        return ShardAssignment.builder("job-a", rank).gang(2, rank, 2).devices(List.of(rank), "nvidia-h20", "nvidia",
                "CUDA_VISIBLE_DEVICES").batch("bf16", 1, 1, 2, 1).rendezvous("10.0.0.1", worldPort, comm).build();
    }

    @Test
    void theKernelsTableIsReadListeningSocketsOnly() {
        assertThat(ListeningPorts.parse(TCP)).containsExactlyInAnyOrderEntriesOf(Map.of(0x7342, 200034, 0x1F90, 0));
    }

    @Test
    void eachShardChecksOnlyThePortsItServes() {
        assertThat(PortGuard.served(shard(0, 29520))).containsExactly(29520, 29521);
        assertThat(PortGuard.served(shard(1, 29520))).as("the group's leader").containsExactly(29522);
    }

    @Test
    void aPortHeldByAnotherUidStopsTheLaunchOneHeldByTheJobDoesNot() {
        Map<Integer, Integer> listening = Map.of(29520, 200034, 29522, 200099);
        assertThat(PortGuard.squatted(shard(0, 29520), listening, 200099)).get().asString()
                .contains("port 29520").contains("uid 200034");
        assertThat(PortGuard.squatted(shard(1, 29520), listening, 200099)).as("its own uid holds it").isEmpty();
        assertThat(PortGuard.squatted(shard(0, 29600), listening, 200099)).isEmpty();
        assertThat(PortGuard.squatted(shard(1, 29520), listening, -1)).as("no job uid: anyone is someone else").isPresent();
        assertThat(PortGuard.busy(Map.of(29499, 0, 29500, 0, 31499, 0, 31500, 0), 29500, 2000)).containsExactly(29500, 31499);
    }

    @Test
    void aSocketThisProcessListensOnIsSeen() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(ListeningPorts.read()).containsKey(s.getLocalPort());
        }
    }
}
