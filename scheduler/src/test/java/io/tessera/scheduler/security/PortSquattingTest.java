package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N8: a process holding almost every port of the communication plans' range no longer makes the
 * next job's rank 0 fail with EADDRINUSE. The agent reports the busy ports, the plan stays off
 * them, and rank 0 binds its rendezvous port. Before, the port came from a public formula over
 * the job id, whatever held it.
 */
class PortSquattingTest {
    private static final int FREE_FROM = 31400;
    @TempDir
    Path dir;

    @Test
    void theNextJobsRendezvousPortIsOneNobodyHolds() throws Exception {
        List<ServerSocket> squatted = new ArrayList<>();
        try (TestCluster c = TestCluster.start(dir)) {
            for (int p = 29500; p < FREE_FROM; p++) {
                try {
                    ServerSocket s = new ServerSocket();
                    s.bind(new InetSocketAddress("0.0.0.0", p));
                    squatted.add(s);
                } catch (IOException taken) {
                    // held already by someone else on this host: squatted all the same
                }
            }
            c.agent("sq-1", "nvidia-h20", 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1
                    && c.storedNode("sq-1").path("busyPorts").size() >= squatted.size());
            String job = c.submit("name: binds\ncommand: [python3, -c, \"import os, socket; s = socket.socket(); "
                    + "s.bind(('0.0.0.0', int(os.environ['MASTER_PORT']))); s.listen(); print('bound', os.environ['MASTER_PORT'])\"]\n"
                    + "shards: 1\ndevicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(job).path("state").asText().matches("SUCCEEDED|FAILED"));
            assertThat(c.job(job).path("state").asText()).as(c.job(job).toString()).isEqualTo("SUCCEEDED");
            String log = c.send("GET", "/v1/jobs/" + job + "/shards/0/log", null, null).body();
            int port = Integer.parseInt(log.lines().filter(l -> l.startsWith("bound ")).findFirst().orElseThrow().substring(6));
            assertThat(port).isGreaterThanOrEqualTo(FREE_FROM);
        } finally {
            for (ServerSocket s : squatted) {
                s.close();
            }
        }
    }
}
