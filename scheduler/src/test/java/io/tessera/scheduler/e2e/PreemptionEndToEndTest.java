package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.QueueSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real member, a real agent and the example worker as real processes: a low-priority job runs;
 * a high-priority job of the same queue preempts it; the victim's worker checkpoints on SIGTERM
 * within its grace, the high job runs to success, and the victim resumes from that checkpoint
 * and succeeds, with no restart counted.
 */
class PreemptionEndToEndTest {
    @TempDir
    Path dir;

    private String job(String name, int priority, long steps) {
        return "name: " + name + "\npriority: " + priority + "\n" + TestCluster.workerCommand()
                + "args: [--steps, '" + steps + "', --checkpoint-every, '100000', --time-scale, '0.05']\n"
                + "shards: 1\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 64\n"
                + "checkpointDir: " + dir.resolve("ckpt-" + name) + "\n";
    }

    private static String state(TestCluster c, String id) {
        return c.job(id).path("state").asText();
    }

    @Test
    void aHighPriorityJobPreemptsALowOneWhichResumesFromItsSigtermCheckpoint() throws Exception {
        QueueSpec queue = new QueueSpec("default", null, null, null, null, null, null, null, null, null, 20_000L, null);
        try (TestCluster c = TestCluster.withQueues(dir, List.of(queue))) {
            c.agent("gpu-1", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            String low = c.submit(job("low", 0, 200));
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(low).path("shards").path(0).path("step").asInt() >= 5);

            String high = c.submit(job("high", 10, 5));
            await().atMost(Duration.ofSeconds(60)).until(() -> state(c, high).equals("SUCCEEDED"));
            JsonNode victim = c.job(low);
            assertThat(victim.path("events")).extracting(e -> e.path("type").asText())
                    .containsSubsequence("RUNNING", "PREEMPTING", "PREEMPTED");
            String preempted = eventMessage(victim, "PREEMPTED");
            assertThat(preempted).contains("checkpoint at step");
            long step = Long.parseLong(preempted.replaceAll(".*checkpoint at step (\\d+).*", "$1"));
            assertThat(step).isPositive();

            await().atMost(Duration.ofSeconds(120)).until(() -> state(c, low).equals("SUCCEEDED"));
            JsonNode done = c.job(low);
            assertThat(done.path("attempt").asInt()).isEqualTo(2);
            assertThat(done.path("restarts").asInt()).isZero();
            // each attempt has its own log, read through the scheduler from wherever it ran
            assertThat(c.send("GET", "/v1/jobs/" + low + "/shards/0/log?attempt=1", null, null).body())
                    .contains("SIGTERM: checkpointing step " + step);
            assertThat(c.send("GET", "/v1/jobs/" + low + "/shards/0/log?attempt=2", null, null).body())
                    .contains("resumed from checkpoint at step " + step);
        }
    }

    private static String eventMessage(JsonNode job, String type) {
        for (JsonNode e : job.path("events")) {
            if (e.path("type").asText().equals(type)) {
                return e.path("message").asText();
            }
        }
        return "";
    }
}
