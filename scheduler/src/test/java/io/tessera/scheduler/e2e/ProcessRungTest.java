package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery ladder's process rung end to end: the real scheduler and agents, real PyTorch
 * workers of a three-vendor gang over the communication plan (groups and a Gloo bridge). One
 * worker is SIGKILLed on a healthy node; its agent starts it again at the same attempt, the two
 * survivors keep their processes and re-form the gang with it, and the job trains to the end with
 * no gang restart.
 */
class ProcessRungTest {
    @TempDir
    Path dir;

    @Test
    void aKilledWorkerOnAHealthyNodeIsRestartedInPlaceAndItsPeersKeepTheirProcesses() throws Exception {
        PyTorchWorkerTest.requireTorch();
        try (TestCluster c = TestCluster.start(dir)) {
            c.threeVendorNodes();
            Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
            String id = c.submit("name: torch\ncommand: [\"" + PyTorchWorkerTest.PYTHON + "\", \"" + PyTorchWorkerTest.TRAIN
                    + "\"]\nargs: [\"--steps\", \"300\", \"--checkpoint-every\", \"50\", \"--rejoin\", \"60\"]\nshards: 3\n"
                    + "devicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 256\n"
                    + "precisions: [bf16]\nvendorPolicy: {maxVendorShare: 0.5}\ncheckpointDir: " + ckpt + "\nrestartLimit: 2\n"
                    + "recovery: {processRestarts: 2}\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).path("state").asText().equals("RUNNING")
                    && c.job(id).get("shards").findValues("step").size() == 3
                    && c.job(id).get("shards").findValues("step").stream().allMatch(s -> s.asLong() >= 60));
            JsonNode before = c.job(id);
            Map<Integer, Long> pids = pids(before);
            ProcessHandle.of(pids.get(1)).ifPresent(ProcessHandle::destroyForcibly);
            long killed = System.nanoTime();

            await().atMost(Duration.ofSeconds(30)).until(() -> log(c, id, 0).contains("TESSERA_REJOINED"));
            double rejoined = (System.nanoTime() - killed) / 1e9;
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("events").findValuesAsText("type")
                    .contains("RECOVERED"));
            JsonNode after = c.job(id);
            assertThat(after.get("attempt").asInt()).as("no new attempt").isEqualTo(1);
            assertThat(after.get("restarts").asInt()).as("no restart spent").isZero();
            assertThat(after.get("restartsInPlace").asInt()).isEqualTo(1);
            assertThat(after.get("events").findValuesAsText("type")).contains("PROCESS_RESTARTED")
                    .doesNotContain("RESTARTING");
            assertThat(after.get("events").findValuesAsText("message")).anyMatch(m -> m.startsWith("shard 1 was killed by SIGKILL")
                    && m.contains("restarts in place as incarnation 1"));
            Map<Integer, Long> now = pids(after);
            assertThat(now.get(0)).as("shard 0 kept its process").isEqualTo(pids.get(0));
            assertThat(now.get(2)).as("shard 2 kept its process").isEqualTo(pids.get(2));
            assertThat(now.get(1)).as("shard 1 runs a new process").isNotEqualTo(pids.get(1));
            assertThat(after.get("shards").get(1).get("incarnation").asInt()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(180)).until(() -> c.job(id).get("state").asText().equals("SUCCEEDED"));
            String survivor = log(c, id, 0);
            String restarted = log(c, id, 1);
            Matcher m = Pattern.compile("TESSERA_REJOINED generation=1 step=(\\d+) from_rank=(\\d+) behind=(\\d+)")
                    .matcher(survivor);
            assertThat(m.find()).isTrue();
            assertThat(m.group(3)).as("a survivor redoes nothing but the step in flight").isEqualTo("0");
            long at = Long.parseLong(m.group(1));
            assertThat(restarted).contains("TESSERA_REJOINED generation=1 step=" + at + " ")
                    .contains("resumed from checkpoint at step");
            assertThat(survivor).contains("TESSERA_PROGRESS step=" + (at + 1) + " ");
            assertThat(loss(survivor, 300)).as("trained: the best reachable loss is 0.01").isLessThan(0.25);
            for (int shard = 0; shard < 3; shard++) {
                assertThat(log(c, id, shard)).as("rank %d ends in step", shard).contains("finished 300 steps");
            }
            String recovered = c.job(id).get("events").findValuesAsText("message").stream()
                    .filter(e -> e.contains("runs again as incarnation")).findFirst().orElseThrow();
            System.out.printf("process rung: survivors re-formed the gang %.2f s after shard 1 was killed, at step %d; "
                    + "event: %s%n", rejoined, at, recovered);
        }
    }

    private static Map<Integer, Long> pids(JsonNode job) {
        Map<Integer, Long> out = new HashMap<>();
        job.get("shards").forEach(s -> out.put(s.get("shard").asInt(), s.path("pid").asLong(-1)));
        return out;
    }

    private static String log(TestCluster c, String id, int shard) {
        return c.send("GET", "/v1/jobs/" + id + "/shards/" + shard + "/log?attempt=1", null, null).body();
    }

    private static double loss(String log, long step) {
        Matcher m = Pattern.compile("TESSERA_PROGRESS step=" + step + " total=\\d+ loss=([0-9.]+)").matcher(log);
        assertThat(m.find()).as("step %d in the log", step).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
