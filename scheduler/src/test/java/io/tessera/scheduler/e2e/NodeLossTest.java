package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.Agent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose agent stops heartbeating is declared lost, and its job does not stay RUNNING on it. */
class NodeLossTest {
    @TempDir
    Path dir;

    @Test
    void theLostNodesGangRestartsElsewhereFromItsCheckpoint() throws Exception {
        try (TestCluster cluster = TestCluster.start(dir)) {
            Agent ascend = cluster.agent("ascend-1", "ascend-910b", 4);
            cluster.agent("nvidia-1", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 2);
            String id = cluster.submit("name: loss\n" + TestCluster.workerCommand()
                    + "args: [--steps, '400', --checkpoint-every, '3', --time-scale, '0.01']\nshards: 1\n"
                    + "devicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 64\n"
                    + "checkpointDir: " + dir.resolve("ckpt") + "\nrestartLimit: 2\n");
            // The faster Ascend node takes the shard; wait until a checkpoint exists.
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.job(id).get("shards").path(0).path("step").asInt() >= 4);
            assertThat(cluster.job(id).get("shards").get(0).get("node").asText()).isEqualTo("ascend-1");

            ascend.close(); // the agent dies: no more heartbeats, its workers go with it

            await().atMost(Duration.ofSeconds(20)).until(() -> StreamSupport.stream(cluster.nodes().spliterator(), false)
                    .anyMatch(n -> n.get("name").asText().equals("ascend-1") && n.get("state").asText().equals("LOST")));
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.job(id).get("attempt").asInt() == 2
                    && cluster.job(id).get("state").asText().equals("RUNNING"));
            JsonNode job = cluster.job(id);
            assertThat(job.get("events")).extracting(e -> e.get("type").asText()).contains("NODE_LOST", "RESTARTING");
            assertThat(job.get("events")).filteredOn(e -> e.get("type").asText().equals("NODE_LOST")).first()
                    .satisfies(e -> assertThat(e.get("message").asText()).contains("ascend-1"));
            assertThat(job.get("shards").get(0).get("node").asText()).isEqualTo("nvidia-1");
            Path log = dir.resolve("nvidia-1/logs/" + id + "/shard-0.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log)
                    && Files.readString(log).contains("resumed from checkpoint at step"));
        }
    }
}
