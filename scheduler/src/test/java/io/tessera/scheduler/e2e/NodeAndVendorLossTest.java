package io.tessera.scheduler.e2e;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node loss and the vendor-loss drill with the scheduler and every agent as separate JVMs; a node
 * dies by SIGKILL to its agent and all its workers. Prints the figures the operations guide quotes.
 */
class NodeAndVendorLossTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Path checkpointDir() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.setPosixFilePermissions(ckpt, PosixFilePermissions.fromString("rwxrwxrwx"));
        return ckpt;
    }

    @Test
    void theLostNodesGangRestartsElsewhereAtItsCheckpointedStep() throws Exception {
        Path ckpt = checkpointDir();
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess ascend = new AgentProcess(dir, "ascend-1", s.urls(), "ascend-910b", 4);
             AgentProcess nvidia = new AgentProcess(dir, "nvidia-1", s.urls(), "nvidia-h20", 4)) {
            s.startWithAgents(ascend, nvidia);
            String id = s.submit(0, "name: loss\n" + TestCluster.workerCommand()
                    + "args: [--steps, '100000', --checkpoint-every, '3', --time-scale, '0.01']\nshards: 1\n"
                    + "devicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 64\n"
                    + "checkpointDir: " + ckpt + "\nrestartLimit: 2\n");
            // The faster Ascend node takes the shard; wait until it has checkpointed.
            await().atMost(Duration.ofSeconds(60)).until(() -> s.job(0, id).path("shards").path(0).path("checkpointStep").asLong() >= 3);
            assertThat(s.job(0, id).get("shards").get(0).get("node").asText()).isEqualTo("ascend-1");

            ascend.die();
            long died = System.nanoTime();
            // The truth is the checkpoint on disk when the node died: the worker renames it into place and
            // only then prints its line, so a kill between the two leaves the log one checkpoint behind.
            long logged = WorkerLogs.lastCheckpoint(ascend.log(id, 0)).orElseThrow();
            long checkpoint = Long.parseLong(Files.readAllLines(ckpt.resolve(id).resolve("checkpoint.txt")).get(0)
                    .substring("step=".length()).trim());
            assertThat(checkpoint).isGreaterThanOrEqualTo(logged);
            await().atMost(Duration.ofSeconds(30)).until(() -> "LOST".equals(s.nodeState(0, "ascend-1")));
            double lost = (System.nanoTime() - died) / 1e9;
            await().atMost(Duration.ofSeconds(30)).until(() -> running(s, id, 2));
            double restarted = (System.nanoTime() - died) / 1e9;
            JsonNode job = s.job(0, id);
            assertThat(job.get("shards").get(0).get("node").asText()).isEqualTo("nvidia-1");
            assertThat(job.get("events").findValuesAsText("type")).contains("NODE_LOST", "RESTARTING");
            assertThat(job.get("events").findValuesAsText("message")).anyMatch(m -> m.contains("node ascend-1 was lost"));
            await().atMost(Duration.ofSeconds(30)).until(() -> WorkerLogs.lastResume(nvidia.log(id, 0)).isPresent());
            double resumed = (System.nanoTime() - died) / 1e9;
            assertThat(WorkerLogs.lastResume(nvidia.log(id, 0)).getAsLong()).as("resumes at the checkpointed step")
                    .isEqualTo(checkpoint);
            System.out.printf("node loss: LOST %.2f s after the node died (timeout 3 s); gang RUNNING on nvidia-1 %.2f s "
                    + "after; worker resumed at its checkpointed step %d %.2f s after%n", lost, restarted, checkpoint, resumed);
        }
    }

    @Test
    void anElasticJobSurvivesTheLossOfAWholeVendorAndGrowsBack() throws Exception {
        Path ckpt = checkpointDir();
        try (ProcessCluster s = new ProcessCluster(dir, 1);
             AgentProcess ascend = new AgentProcess(dir, "ascend-1", s.urls(), "ascend-910b", 8);
             AgentProcess nvidia = new AgentProcess(dir, "nvidia-1", s.urls(), "nvidia-h20", 8);
             AgentProcess asic = new AgentProcess(dir, "asic-1", s.urls(), "acme-tpx1", 8)) {
            s.startWithAgents(ascend, nvidia, asic);
            String id = s.submit(0, "name: drill\n" + TestCluster.workerCommand()
                    + "args: [--steps, '100000', --checkpoint-every, '3', --time-scale, '0.02']\n"
                    + "shards: {min: 2, max: 6}\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\n"
                    + "globalBatch: 512\ncheckpointDir: " + ckpt + "\nrestartLimit: 3\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> running(s, id, 1)
                    && s.job(0, id).path("shards").path(0).path("step").asInt() >= 4);
            JsonNode before = s.job(0, id);
            assertThat(vendors(before)).containsExactlyInAnyOrder("huawei", "nvidia", "acme");
            double p0 = before.get("placement").get("predictedSamplesPerSec").asDouble();
            double lostShare = before.get("placement").get("vendorShares").get("huawei").asDouble();

            ascend.die(); // every Ascend node is gone, with its workers
            long died = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> running(s, id, 2) && vendors(s.job(0, id)).size() == 2);
            double resume = (System.nanoTime() - died) / 1e9;
            JsonNode after = s.job(0, id);
            assertThat(vendors(after)).containsExactlyInAnyOrder("nvidia", "acme");
            assertThat(after.get("shards")).hasSize(4);
            assertThat(batch(after)).isEqualTo(512);
            assertThat(after.get("events").findValuesAsText("type")).contains("RESTARTING", "SHRUNK");
            double kept = after.get("placement").get("predictedSamplesPerSec").asDouble() / p0;
            double ideal = 1 - lostShare;
            AgentProcess rank0Agent = after.get("shards").get(0).get("node").asText().equals("nvidia-1") ? nvidia : asic;
            await().atMost(Duration.ofSeconds(30)).until(() -> WorkerLogs.lastResume(rank0Agent.log(id, 0)).isPresent());
            System.out.printf("vendor-loss drill: resumed %.2f s after losing huawei (%.1f%% of the job), after %d restart(s); "
                    + "throughput kept %.1f%% (ideal %.1f%%, ratio %.3f)%n", resume, 100 * lostShare,
                    after.get("restarts").asInt(), 100 * kept, 100 * ideal, kept / ideal);
            assertThat(kept / ideal).isGreaterThan(0.9);
            assertThat(after.get("restarts").asInt()).as("one vendor lost costs at most one counted restart").isLessThanOrEqualTo(1);

            int restarts = after.get("restarts").asInt();
            int shrunkAttempt = after.get("attempt").asInt();
            ascend.start(); // the vendor returns: the job grows back at its next checkpoint, spending no restart
            long returned = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> running(s, id, shrunkAttempt + 1));
            double regrow = (System.nanoTime() - returned) / 1e9;
            JsonNode grown = s.job(0, id);
            assertThat(vendors(grown)).containsExactlyInAnyOrder("huawei", "nvidia", "acme");
            assertThat(grown.get("shards")).hasSize(6);
            assertThat(grown.get("restarts").asInt()).as("growing is not a restart").isEqualTo(restarts);
            assertThat(grown.get("events").findValuesAsText("type")).contains("GROWING", "GREW");
            assertThat(batch(grown)).isEqualTo(512);
            double p2 = grown.get("placement").get("predictedSamplesPerSec").asDouble();
            System.out.printf("grow-back: %.2f s after the Ascend agent restarted, the job runs 6 shards on 3 vendors "
                    + "again, predicted %.1f samples/s (%.1f%% of the original plan)%n", regrow, p2, 100 * p2 / p0);
            // Not 1: p0 was the catalog's estimate, p2 is corrected by what the job measured (the example
            // worker's steps end a little late, by its sleep's overshoot, and later still on a loaded machine).
            // Regression: a fixed bound (0.99, then 0.97) failed on loaded machines (0.964 in CI, 0.954 here): the
            // plan in force predicts from the factors it learned, so the bound is the slowest learned factor.
            Map<String, Double> factors = s.learnedFactors(0, "drill@default");
            assertThat(factors).as("the drill's class learned a factor per chip type").hasSizeGreaterThanOrEqualTo(3);
            double slowest = factors.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            System.out.printf("grow-back: learned factors %s; predicted/original %.3f, bound %.3f%n", factors, p2 / p0,
                    0.99 * slowest);
            assertThat(p2 / p0).isGreaterThan(0.99 * slowest).isLessThan(1.01);
        }
    }

    /** RUNNING at an attempt of at least {@code attempt}, seen in one read. */
    private static boolean running(ProcessCluster s, String id, int attempt) {
        JsonNode job = s.job(0, id);
        return !job.isMissingNode() && job.get("attempt").asInt() >= attempt && job.get("state").asText().equals("RUNNING");
    }

    private static long batch(JsonNode job) {
        long sum = 0;
        for (JsonNode sh : job.get("shards")) {
            sum += sh.get("microBatch").asLong() * sh.get("accumulation").asLong();
        }
        return sum;
    }

    private static Set<String> vendors(JsonNode job) {
        Set<String> out = new HashSet<>();
        job.path("shards").forEach(sh -> out.add(sh.get("vendor").asText()));
        return out;
    }
}
