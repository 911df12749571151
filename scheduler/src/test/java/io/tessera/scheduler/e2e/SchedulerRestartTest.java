package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler crashes and restarts on the same database: every accepted job is back in its
 * state, and the agent's running workers are adopted, not killed or restarted.
 */
class SchedulerRestartTest {
    @TempDir
    Path dir;

    @Test
    void stateSurvivesACrashAndRunningWorkersAreAdopted() {
        try (TestCluster cluster = TestCluster.start(dir)) {
            cluster.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1);
            String running = cluster.submit("name: ride\ncommand: [sleep, '300']\nshards: 1\ndevicesPerShard: 2\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            List<String> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(cluster.submit("name: waits-" + i + "\ncommand: [w]\nshards: 4\ndevicesPerShard: 2\n"
                        + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(running).get("state").asText().equals("RUNNING"));
            long pid = cluster.job(running).get("shards").get(0).get("pid").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.send("GET", "/v1/fleet/usage", null, null).json()
                    .get("points").findValues("allocated").stream().anyMatch(n -> n.asInt() == 2));
            String firstSample = cluster.send("GET", "/v1/fleet/usage", null, null).json().get("points").get(0)
                    .get("at").asText();

            cluster.restartScheduler();

            assertThat(cluster.send("GET", "/v1/fleet/usage", null, null).json().get("points").findValuesAsText("at"))
                    .as("the fleet's kept use survives the restart").contains(firstSample);

            JsonNode after = cluster.job(running);
            assertThat(after.get("state").asText()).isEqualTo("RUNNING");
            for (String id : queued) {
                assertThat(cluster.job(id).get("state").asText()).isEqualTo("QUEUED");
            }
            assertThat(cluster.send("GET", "/v1/jobs", null, null).json().get("jobs")).hasSize(6);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1
                    && cluster.nodes().get(0).get("heartbeatAgeMs").asLong() < 1000);
            // The worker was neither killed nor restarted: same pid, same attempt, still running.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                            && cluster.job(running).get("attempt").asInt() == 1
                            && cluster.job(running).get("state").asText().equals("RUNNING"));
            assertThat(cluster.job(running).get("shards").get(0).get("pid").asLong()).isEqualTo(pid);
        }
    }
}
