package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint on the way out: a real member, two real agents and the example worker. An admin
 * drains the node a job runs on with evacuation; the worker gets SIGTERM and checkpoints within
 * its queue's grace, the job goes back to the queue spending no restart, runs on the other node
 * and resumes from exactly that checkpoint; nothing new lands on the drained node.
 */
class EvacuationEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void drainingANodeWithEvacuationCheckpointsItsJobsAndMovesThemWithoutARestart() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("gpu-1", "nvidia-h20", 4);
            c.agent("gpu-2", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 2);
            String id = c.submit("name: evac\n" + TestCluster.workerCommand()
                    + "args: [--steps, '400', --checkpoint-every, '100000', --time-scale, '0.05']\n"
                    + "shards: 1\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 64\n"
                    + "checkpointDir: " + dir.resolve("ckpt") + "\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).path("shards").path(0).path("step").asInt() >= 5);
            String from = c.job(id).path("shards").path(0).path("node").asText();
            String to = from.equals("gpu-1") ? "gpu-2" : "gpu-1";

            TestCluster.Response r = c.send("POST", "/v1/nodes/" + from + "/drain?evacuate=true", new byte[0],
                    "application/json");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("drained").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).path("attempt").asInt() == 2
                    && c.job(id).path("state").asText().equals("RUNNING"));
            JsonNode moved = c.job(id);
            assertThat(moved.path("shards").path(0).path("node").asText()).isEqualTo(to);
            assertThat(moved.path("restarts").asInt()).as("no restart spent").isZero();
            assertThat(moved.path("events")).extracting(e -> e.path("type").asText())
                    .containsSubsequence("RUNNING", "EVACUATING", "EVACUATED", "PLACED", "RUNNING");
            String evacuated = message(moved, "EVACUATED");
            assertThat(message(moved, "EVACUATING")).contains("node " + from + " is drained for maintenance");
            assertThat(evacuated).contains("its workers stopped", "checkpoint at step");
            long step = Long.parseLong(evacuated.replaceAll(".*checkpoint at step (\\d+).*", "$1"));
            assertThat(step).isPositive();
            assertThat(c.send("GET", "/v1/jobs/" + id + "/shards/0/log?attempt=1", null, null).body())
                    .contains("SIGTERM: checkpointing step " + step);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.send("GET", "/v1/jobs/" + id + "/shards/0/log?attempt=2",
                    null, null).body().contains("resumed from checkpoint at step " + step));
        }
    }

    private static String message(JsonNode job, String type) {
        for (JsonNode e : job.path("events")) {
            if (e.path("type").asText().equals(type)) {
                return e.path("message").asText();
            }
        }
        return "";
    }
}
