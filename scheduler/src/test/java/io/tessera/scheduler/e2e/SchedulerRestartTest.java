package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent keeps its workers through a scheduler restart and registers with the new scheduler. */
class SchedulerRestartTest {
    @TempDir
    Path dir;

    @Test
    void workersSurviveAndTheNodeRegistersAgain() {
        try (TestCluster cluster = TestCluster.start(dir)) {
            cluster.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1);
            String id = cluster.submit("name: ride\ncommand: [sleep, '300']\nshards: 1\ndevicesPerShard: 2\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(id).get("shards").path(0).has("pid"));
            long pid = cluster.job(id).get("shards").get(0).get("pid").asLong();

            cluster.restartScheduler();

            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1);
            assertThat(cluster.nodes().get(0).get("name").asText()).isEqualTo("h20-a");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
            // The new scheduler knows nothing of the job; the worker was neither killed nor restarted.
            assertThat(cluster.send("GET", "/v1/jobs/" + id, null, null).status()).isEqualTo(404);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }
}
