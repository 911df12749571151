package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job and node endpoints over real HTTP, with one real agent. */
class JobApiTest {
    @TempDir
    Path dir;

    @Test
    void submitGetListCancelAndNodes() {
        try (TestCluster cluster = TestCluster.start(dir)) {
            String json = "{\"name\":\"api\",\"command\":[\"sleep\",\"300\"],\"shards\":{\"min\":1,\"max\":2},"
                    + "\"devicesPerShard\":2,\"flopsPerSample\":1e12,\"memoryPerShardGiB\":8,\"globalBatch\":16}";
            Response created = cluster.send("POST", "/v1/jobs", json.getBytes(), "application/json");
            assertThat(created.status()).isEqualTo(201);
            String id = created.json().get("id").asText();
            assertThat(created.json().get("state").asText()).isEqualTo("QUEUED");

            JsonNode queued = cluster.job(id);
            assertThat(queued.get("spec").get("devicesPerShard").asInt()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(id).has("waitingReason"));
            assertThat(cluster.job(id).get("waitingReason").asText()).contains("no free, healthy devices");

            cluster.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(id).get("state").asText().equals("RUNNING"));
            JsonNode running = cluster.job(id);
            assertThat(running.get("shards")).hasSize(2);
            JsonNode shard = running.get("shards").get(0);
            assertThat(shard.get("node").asText()).isEqualTo("h20-a");
            assertThat(shard.get("chipType").asText()).isEqualTo("nvidia-h20");
            assertThat(shard.get("precision").asText()).isEqualTo("bf16");
            assertThat(shard.get("microBatch").asInt()).isEqualTo(8);
            assertThat(shard.get("devices")).hasSize(2);

            JsonNode node = cluster.nodes().get(0);
            assertThat(node.get("state").asText()).isEqualTo("READY");
            assertThat(node.get("deviceCounts").get("allocated").asInt()).isEqualTo(4);
            assertThat(node.get("devices").get(0).get("jobId").asText()).isEqualTo(id);

            assertThat(cluster.send("GET", "/v1/jobs", null, null).json().get("jobs").findValuesAsText("id")).contains(id);
            assertThat(cluster.send("DELETE", "/v1/jobs/" + id, null, null).json().get("cancelRequested").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(id).get("state").asText().equals("CANCELLED")
                    && cluster.nodes().get(0).get("deviceCounts").get("free").asInt() == 4);
            // Cancelling a finished job changes nothing.
            assertThat(cluster.send("DELETE", "/v1/jobs/" + id, null, null).json().get("state").asText())
                    .isEqualTo("CANCELLED");
        }
    }
}
