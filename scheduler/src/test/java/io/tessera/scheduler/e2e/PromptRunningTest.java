package io.tessera.scheduler.e2e;

import org.junit.jupiter.api.io.CleanupMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PLACED to RUNNING does not wait for the heartbeat interval: with a 10 s interval (a large
 * fleet's stretched cadence), a real agent reports each worker's start in a beat brought forward
 * to 200 ms, so three jobs in a row each go from PLACED to RUNNING (by their own events) in well
 * under the interval. Before, each waited for the agent's next regular heartbeat (up to 10 s).
 */
class PromptRunningTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aStartedWorkerIsReportedWithoutWaitingForTheNextInterval() throws Exception {
        try (ProcessCluster s = new ProcessCluster(dir, 1).heartbeat(10_000, 30_000);
             AgentProcess a = new AgentProcess(dir, "prompt-a", s.urls(), "nvidia-h20", 4)) {
            s.startWithAgents(a);
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = s.submit(0, "name: prompt-" + i + "\ncommand: [sh, -c, 'exec sleep 300']\nshards: 1\n"
                        + "devicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
                await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(s.job(0, id).path("state").asText()));
                seconds.add(placedToRunning(s.job(0, id)));
            }
            assertThat(seconds).as("PLACED to RUNNING, seconds, with a 10 s heartbeat interval").allMatch(x -> x < 3.0);
        }
    }

    private static double placedToRunning(JsonNode job) {
        Instant placed = null;
        Instant running = null;
        for (JsonNode e : job.path("events")) {
            if (e.path("type").asText().equals("PLACED") && placed == null) {
                placed = Instant.parse(e.path("at").asText());
            } else if (e.path("type").asText().equals("RUNNING") && running == null) {
                running = Instant.parse(e.path("at").asText());
            }
        }
        return Duration.between(placed, running).toMillis() / 1000.0;
    }
}
