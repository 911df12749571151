package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduler, three vendors' agents and real example-worker processes, over real HTTP and Hazelcast. */
class EndToEndTest {
    @TempDir
    Path dir;
    private TestCluster cluster;

    @BeforeEach
    void start() {
        cluster = TestCluster.start(dir);
        cluster.agent("ascend-1", "ascend-910b", 8);
        cluster.agent("nvidia-1", "nvidia-h20", 8);
        cluster.agent("asic-1", "acme-tpx1", 8);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 3);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private String job(int shards, String args, String extra) {
        return "name: e2e\n" + TestCluster.workerCommand() + "args: [" + args + "]\nshards: " + shards
                + "\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 512\n"
                + "precisions: [fp8, bf16]\ncheckpointDir: " + dir.resolve("ckpt") + "\n" + extra;
    }

    @Test
    void aJobSpanningThreeVendorsRunsToSuccess() {
        String id = cluster.submit(job(6, "--steps, 6, --checkpoint-every, 3, --time-scale, 0.02", ""));
        await().atMost(Duration.ofSeconds(90)).until(() -> cluster.job(id).get("state").asText().equals("SUCCEEDED"));
        JsonNode done = cluster.job(id);
        Set<String> vendors = new HashSet<>();
        done.get("shards").forEach(s -> {
            vendors.add(s.get("vendor").asText());
            assertThat(s.get("phase").asText()).isEqualTo("EXITED");
            assertThat(s.get("exitCode").asInt()).isZero();
            assertThat(s.get("step").asInt()).isEqualTo(6);
        });
        assertThat(vendors).containsExactlyInAnyOrder("huawei", "nvidia", "acme");
        assertThat(done.get("placement").get("precision").asText()).isEqualTo("bf16");
        long batch = StreamSupport.stream(done.get("shards").spliterator(), false)
                .mapToLong(s -> s.get("microBatch").asLong() * s.get("accumulation").asLong()).sum();
        assertThat(batch).isEqualTo(512);
        assertThat(done.get("events")).extracting(e -> e.get("type").asText())
                .contains("SUBMITTED", "PLACED", "RUNNING", "SUCCEEDED");
        assertThat(dir.resolve("ckpt/" + id + "/checkpoint.txt")).content().startsWith("step=6"); // checkpointDir/<job>
        // Devices are free again.
        await().atMost(Duration.ofSeconds(5)).until(() -> StreamSupport.stream(cluster.nodes().spliterator(), false)
                .allMatch(n -> n.get("deviceCounts").get("free").asInt() == 8));
    }

    @Test
    void cancelKillsEveryWorkerProcess() {
        String id = cluster.submit(job(6, "--steps, 100000, --time-scale, 0.05", ""));
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.job(id).get("state").asText().equals("RUNNING")
                && StreamSupport.stream(cluster.job(id).get("shards").spliterator(), false).allMatch(s -> s.has("pid")));
        Set<Long> pids = new HashSet<>();
        cluster.job(id).get("shards").forEach(s -> pids.add(s.get("pid").asLong()));
        assertThat(pids).hasSize(6).allSatisfy(pid -> assertThat(alive(pid)).isTrue());
        assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.get("deviceCounts").get("allocated").asInt()).isEqualTo(8));

        TestCluster.Response r = cluster.send("DELETE", "/v1/jobs/" + id, null, null);
        assertThat(r.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> pids.stream().noneMatch(EndToEndTest::alive));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.job(id).get("state").asText().equals("CANCELLED"));
        await().atMost(Duration.ofSeconds(5)).until(() -> StreamSupport.stream(cluster.nodes().spliterator(), false)
                .allMatch(n -> n.get("deviceCounts").get("free").asInt() == 8));
    }

    @Test
    void aWaitingJobSaysWhy() {
        String id = cluster.submit(job(7, "--steps, 1", ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(id).get("events").size() > 1);
        JsonNode j = cluster.job(id);
        assertThat(j.get("state").asText()).isEqualTo("QUEUED");
        // 7 shards of 4 devices can never fit 3 nodes of 8 devices: marked so, and still queued in case nodes join.
        assertThat(j.get("events").get(1).get("type").asText()).isEqualTo("UNSCHEDULABLE");
        assertThat(j.get("waitingReason").asText()).startsWith("can never fit this fleet");
        assertThat(j.get("events").get(1).get("message").asText()).contains("at least 7 shards").contains("holds 6")
                .contains("per chip type", "nvidia-h20: insufficient devices");
    }

    @Test
    void aFailingShardRestartsTheGangWhichResumesFromItsCheckpoint() throws Exception {
        String id = cluster.submit(job(3, "--steps, 8, --checkpoint-every, 2, --time-scale, 0.02, "
                + "--fail-at-step, 5", "restartLimit: 1\n"));
        await().atMost(Duration.ofSeconds(90)).until(() -> cluster.job(id).get("state").asText().equals("SUCCEEDED"));
        JsonNode done = cluster.job(id);
        assertThat(done.get("attempt").asInt()).isEqualTo(2);
        assertThat(done.get("events")).extracting(e -> e.get("type").asText())
                .containsSubsequence("PLACED", "SHARD_FAILED", "RESTARTING", "PLACED", "SUCCEEDED");
        assertThat(cluster.send("GET", "/v1/jobs/" + id + "/shards/0/log?attempt=2", null, null).body())
                .contains("resumed from checkpoint at step 4");
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
