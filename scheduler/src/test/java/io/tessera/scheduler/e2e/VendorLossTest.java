package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.Agent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vendor-loss drill: an elastic job spread over three vendors loses every node of one vendor and
 * keeps training on the other two, from its checkpoint, with the batch re-split and the shrink in
 * its events. Prints the time to resume and the throughput kept against the ideal. When the vendor
 * returns, the job grows back to its full plan at its next checkpoint without spending a restart.
 */
class VendorLossTest {
    @TempDir
    Path dir;

    @Test
    void anElasticJobSurvivesTheLossOfAWholeVendor() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        Files.createDirectories(ckpt);
        Files.setPosixFilePermissions(ckpt, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (TestCluster c = TestCluster.start(dir)) {
            Agent ascend = c.agent("ascend-1", "ascend-910b", 8);
            c.agent("nvidia-1", "nvidia-h20", 8);
            c.agent("asic-1", "acme-tpx1", 8);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 3);
            String id = c.submit("name: drill\n" + TestCluster.workerCommand()
                    + "args: [--steps, '100000', --checkpoint-every, '3', --time-scale, '0.02']\n"
                    + "shards: {min: 2, max: 6}\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\n"
                    + "globalBatch: 512\ncheckpointDir: " + ckpt + "\nrestartLimit: 3\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).get("state").asText().equals("RUNNING")
                    && c.job(id).get("shards").path(0).path("step").asInt() >= 4);
            JsonNode before = c.job(id);
            assertThat(vendors(before)).containsExactlyInAnyOrder("huawei", "nvidia", "acme");
            double p0 = before.get("placement").get("predictedSamplesPerSec").asDouble();
            double lostShare = before.get("placement").get("vendorShares").get("huawei").asDouble();

            long killed = System.nanoTime();
            ascend.close(); // every Ascend node is gone, its workers with it

            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).get("attempt").asInt() >= 2
                    && c.job(id).get("state").asText().equals("RUNNING"));
            double resume = (System.nanoTime() - killed) / 1e9;
            JsonNode after = c.job(id);
            assertThat(vendors(after)).containsExactlyInAnyOrder("nvidia", "acme");
            assertThat(after.get("shards")).hasSize(4);
            long batch = 0;
            for (JsonNode s : after.get("shards")) {
                batch += s.get("microBatch").asLong() * s.get("accumulation").asLong();
            }
            assertThat(batch).isEqualTo(512);
            assertThat(after.get("events").findValuesAsText("type")).contains("NODE_LOST", "RESTARTING", "SHRUNK");
            double p1 = after.get("placement").get("predictedSamplesPerSec").asDouble();
            double kept = p1 / p0;
            double ideal = 1 - lostShare;
            Path log = dir.resolve("nvidia-1/logs/" + id);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.list(log).anyMatch(f -> {
                try {
                    return Files.readString(f).contains("resumed from checkpoint at step");
                } catch (java.io.IOException e) {
                    return false;
                }
            }));
            System.out.printf("vendor-loss drill: resumed %.2f s after losing huawei (%.1f%% of the job); throughput kept "
                    + "%.1f%% (ideal %.1f%%, ratio %.3f)%n", resume, 100 * lostShare, 100 * kept, 100 * ideal, kept / ideal);
            assertThat(kept / ideal).isGreaterThan(0.9);

            // The vendor comes back: the job grows back at its next checkpoint, without spending a restart.
            int restarts = after.get("restarts").asInt();
            long returned = System.nanoTime();
            c.agent("ascend-1", "ascend-910b", 8);
            int shrunkAttempt = after.get("attempt").asInt();
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(id).get("attempt").asInt() > shrunkAttempt
                    && c.job(id).get("state").asText().equals("RUNNING"));
            double regrow = (System.nanoTime() - returned) / 1e9;
            JsonNode grown = c.job(id);
            assertThat(vendors(grown)).as(grown.toPrettyString()).containsExactlyInAnyOrder("huawei", "nvidia", "acme");
            assertThat(grown.get("shards")).hasSize(6);
            assertThat(grown.get("restarts").asInt()).as("growing is not a restart").isEqualTo(restarts);
            assertThat(grown.get("events").findValuesAsText("type")).contains("GROWING", "GREW");
            String growing = grown.get("events").findValuesAsText("message").stream()
                    .filter(m -> m.startsWith("capacity returned")).findFirst().orElseThrow();
            long boundary = Long.parseLong(growing.replaceAll(".*checkpoint at step (\\d+).*", "$1"));
            double p2 = grown.get("placement").get("predictedSamplesPerSec").asDouble();
            await().atMost(Duration.ofSeconds(30)).until(() -> resumedAt(log, boundary));
            System.out.printf("grow-back: %.2f s after huawei returned the job runs 6 shards again, resumed from its "
                    + "checkpoint at step %d; predicted %.1f samples/s (%.1f%% of the original plan)%n",
                    regrow, boundary, p2, 100 * p2 / p0);
            assertThat(p2 / p0).isGreaterThan(0.99);
        }
    }

    /** Whether a shard log under {@code log} says it resumed at {@code step} or later. */
    private static boolean resumedAt(Path log, long step) throws java.io.IOException {
        try (var files = Files.list(log)) {
            return files.anyMatch(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.startsWith("resumed from checkpoint at step "))
                            .mapToLong(l -> Long.parseLong(l.substring("resumed from checkpoint at step ".length()).trim()))
                            .anyMatch(s -> s >= step);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    private static Set<String> vendors(JsonNode job) {
        Set<String> out = new HashSet<>();
        job.get("shards").forEach(s -> out.add(s.get("vendor").asText()));
        return out;
    }
}
