package io.tessera.scheduler.e2e;

import org.junit.jupiter.api.io.CleanupMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM stops a busy member cleanly: a real scheduler process with durable embedded state, two
 * real agents long-polling and heartbeating, and jobs running; after SIGTERM it exits and its log
 * holds no ERROR line (before: long-poll timers fired into the closed pools, and H2's own
 * shutdown hook closed the database under requests still being answered).
 */
class CleanShutdownTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void sigtermLogsNoErrors() throws Exception {
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess a = new AgentProcess(dir, "term-a", s.urls(), "nvidia-h20", 4);
             AgentProcess b = new AgentProcess(dir, "term-b", s.urls(), "nvidia-h20", 4)) {
            s.startWithAgents(a, b);
            String id = s.submit(0, "name: busy\ncommand: [sh, -c, 'exec sleep 300']\nshards: 2\ndevicesPerShard: 2\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(s.job(0, id).path("state").asText()));
            s.process(0).destroy(); // SIGTERM
            assertThat(s.process(0).waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(s.log(0).lines().filter(l -> l.contains(" ERROR "))).as("ERROR lines after SIGTERM").isEmpty();
        }
    }
}
