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

/** {@code POST /v1/plan} answers with a plan on live capacity and commits nothing. */
class PlanApiTest {
    @TempDir
    Path dir;

    @Test
    void dryRunReturnsThePlanWithoutCommittingIt() {
        try (TestCluster cluster = TestCluster.start(dir)) {
            cluster.agent("h20-a", "nvidia-h20", 8);
            cluster.agent("ascend-a", "ascend-910b", 8);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 2);
            String job = "name: what-if\ncommand: [w]\nshards: {min: 2, max: 4}\ndevicesPerShard: 4\n"
                    + "model: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 256\nprecisions: [fp8, bf16]\n";
            Response r = cluster.send("POST", "/v1/plan", job.getBytes(), "application/yaml");
            assertThat(r.status()).isEqualTo(200);
            JsonNode plan = r.json();
            assertThat(plan.get("feasible").asBoolean()).isTrue();
            assertThat(plan.get("shards")).hasSize(4);
            assertThat(plan.get("precision").asText()).isEqualTo("bf16");
            assertThat(plan.get("stepTimeSec").asDouble()).isPositive();
            assertThat(plan.get("vendorShares").has("nvidia")).isTrue();
            assertThat(plan.get("chips").findValuesAsText("chipType")).containsExactlyInAnyOrder("nvidia-h20", "ascend-910b");
            long sum = 0;
            for (JsonNode s : plan.get("shards")) {
                sum += s.get("microBatch").asLong() * s.get("accumulation").asLong();
            }
            assertThat(sum).isEqualTo(256);
            // Nothing was committed.
            assertThat(cluster.send("GET", "/v1/jobs", null, null).json().get("jobs")).isEmpty();
            assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.get("deviceCounts").get("free").asInt()).isEqualTo(8));

            Response tooBig = cluster.send("POST", "/v1/plan", job.replace("min: 2, max: 4", "min: 5, max: 9").getBytes(),
                    "application/yaml");
            assertThat(tooBig.json().get("feasible").asBoolean()).isFalse();
            assertThat(tooBig.json().get("summary").asText()).contains("at least 5 shards");
            assertThat(cluster.send("POST", "/v1/plan", "shards: x".getBytes(), "application/yaml").status()).isEqualTo(400);
        }
    }
}
