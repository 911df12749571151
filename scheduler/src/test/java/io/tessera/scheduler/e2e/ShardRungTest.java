package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery ladder's shard rung end to end: the scheduler and three agents as separate JVMs,
 * real PyTorch workers. The node under one shard dies with its workers; after the heartbeat
 * timeout the scheduler places that shard alone on the free node, at the same attempt, and the
 * surviving shard keeps its process, learns the new rendezvous from its gang file and re-forms the
 * gang with the replacement, which takes its state; the job trains to the end with no restart.
 */
class ShardRungTest {
    @TempDir
    Path dir;

    @Test
    void aLostNodesShardIsReplacedAloneAndTheSurvivorKeepsItsProcess() throws Exception {
        PyTorchWorkerTest.requireTorch();
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess a = new AgentProcess(dir, "h20-a", s.urls(), "nvidia-h20", 4);
             AgentProcess b = new AgentProcess(dir, "h20-b", s.urls(), "nvidia-h20", 4);
             AgentProcess c = new AgentProcess(dir, "h20-c", s.urls(), "nvidia-h20", 4)) {
            s.startWithAgents(a, b, c);
            Map<String, AgentProcess> agents = Map.of("h20-a", a, "h20-b", b, "h20-c", c);
            String id = s.submit(0, "name: torch\ncommand: [\"" + PyTorchWorkerTest.PYTHON + "\", \"" + PyTorchWorkerTest.TRAIN
                    + "\"]\nargs: [\"--steps\", \"300\", \"--checkpoint-every\", \"50\", \"--rejoin\", \"60\", "
                    + "\"--simulate-chips\", \"0.002\"]\nshards: 2\ndevicesPerShard: 4\n"
                    + "model: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 256\nprecisions: [bf16]\n"
                    + "checkpointDir: " + ckpt + "\nrestartLimit: 2\nrecovery: {shardReplacements: 1}\n");
            await().atMost(Duration.ofSeconds(90)).until(() -> s.job(0, id).path("state").asText().equals("RUNNING")
                    && s.job(0, id).get("shards").findValues("step").size() == 2
                    && s.job(0, id).get("shards").findValues("step").stream().allMatch(x -> x.asLong() >= 40));
            JsonNode before = s.job(0, id);
            String survivorNode = before.get("shards").get(0).get("node").asText();
            String lostNode = before.get("shards").get(1).get("node").asText();
            long survivorPid = before.get("shards").get(0).get("pid").asLong();
            agents.get(lostNode).die(); // the node dies with its worker
            long died = System.nanoTime();

            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(agents.get(survivorNode).log(id, 0))
                    .contains("TESSERA_REJOINED generation=1"));
            double rejoined = (System.nanoTime() - died) / 1e9;
            await().atMost(Duration.ofSeconds(30)).until(() -> s.job(0, id).get("events").findValuesAsText("type")
                    .contains("RECOVERED"));
            JsonNode after = s.job(0, id);
            assertThat(after.get("attempt").asInt()).as("the same attempt").isEqualTo(1);
            assertThat(after.get("restarts").asInt()).as("no restart spent").isZero();
            assertThat(after.get("events").findValuesAsText("type")).contains("SHARDS_REPLACED", "RECOVERED")
                    .doesNotContain("RESTARTING", "NODE_LOST");
            assertThat(after.get("events").findValuesAsText("message")).anyMatch(msg -> msg.startsWith("node " + lostNode
                    + " was lost (no heartbeat); shards [1] ran there; replaced alone at attempt 1"));
            String newNode = after.get("shards").get(1).get("node").asText();
            assertThat(newNode).isNotIn(survivorNode, lostNode);
            assertThat(after.get("shards").get(0).get("node").asText()).isEqualTo(survivorNode);
            assertThat(after.get("shards").get(0).get("pid").asLong()).as("the survivor kept its process")
                    .isEqualTo(survivorPid);
            assertThat(after.get("shards").get(1).get("incarnation").asInt()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(240)).until(() -> s.job(0, id).get("state").asText().equals("SUCCEEDED"));
            String survivor = Files.readString(agents.get(survivorNode).log(id, 0));
            String replacement = Files.readString(agents.get(newNode).log(id, 1));
            Matcher m = Pattern.compile("TESSERA_REJOINED generation=1 step=(\\d+) from_rank=0 behind=0").matcher(survivor);
            assertThat(m.find()).as("the survivor redid only the step in flight").isTrue();
            assertThat(replacement).contains("TESSERA_REJOINED generation=1 step=" + m.group(1) + " from_rank=0");
            assertThat(survivor).contains("finished 300 steps");
            assertThat(replacement).contains("finished 300 steps");
            System.out.printf("shard rung: the survivor re-formed the gang with shard 1 on %s %.2f s after %s died "
                    + "(heartbeat timeout 3 s), at step %s%n", newNode, rejoined, lostNode, m.group(1));
        }
    }
}
