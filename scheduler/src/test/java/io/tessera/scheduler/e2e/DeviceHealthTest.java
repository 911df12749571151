package io.tessera.scheduler.e2e;

import java.nio.file.StandardCopyOption;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health round trip: a fake nvidia-smi starts reporting ECC errors on a GPU; the scheduler shows it
 * unhealthy within heartbeats, no new shard lands on it, the job running on a sick GPU is told in
 * its events, and the GPU comes back when the errors clear.
 */
class DeviceHealthTest {
    @TempDir
    Path dir;

    private void gpus(Path csv, int... sick) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int ecc = 0;
            for (int s : sick) {
                ecc = s == i ? 3 : ecc;
            }
            lines.add(i + ", GPU-test-" + i + ", NVIDIA H20, 97871, 0, 0, 40, 90.0, " + ecc + ", Disabled");
        }
        Path tmp = csv.resolveSibling("gpus.tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n");
        Files.move(tmp, csv, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonNode device(TestCluster c, int index) {
        return c.nodes().get(0).get("devices").get(index);
    }

    @Test
    void aSickGpuLeavesCapacityAndComesBack() throws Exception {
        Path csv = dir.resolve("gpus.csv");
        gpus(csv);
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncat '" + csv + "'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster cluster = TestCluster.start(dir)) {
            cluster.agent("h20-real", new AgentConfig.DeviceSource("nvidia", smi.toString(), 5000L, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1
                    && cluster.nodes().get(0).get("deviceCounts").get("free").asInt() == 4);
            assertThat(device(cluster, 0).get("chipType").asText()).isEqualTo("nvidia-h20");
            assertThat(device(cluster, 0).get("temperatureC").asDouble()).isEqualTo(40);

            String first = cluster.submit("name: resident\ncommand: [sleep, '300']\nshards: 2\ndevicesPerShard: 1\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(first).get("state").asText().equals("RUNNING"));
            int used = cluster.job(first).get("shards").get(0).get("devices").get(0).asInt();
            int spare = StreamSupport.stream(cluster.nodes().get(0).get("devices").spliterator(), false)
                    .filter(d -> d.get("state").asText().equals("free")).findFirst().orElseThrow().get("index").asInt();

            gpus(csv, used, spare);
            await().atMost(Duration.ofSeconds(10)).until(() -> device(cluster, spare).get("state").asText().equals("unhealthy"));
            assertThat(device(cluster, spare).get("problem").asText()).contains("3 uncorrected ECC errors");
            assertThat(device(cluster, used).get("state").asText()).isEqualTo("unhealthy");
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(first).get("events").findValuesAsText("type")
                    .contains("DEVICE_UNHEALTHY"));
            assertThat(cluster.job(first).get("state").asText()).isEqualTo("RUNNING");

            // One healthy free GPU is left: a 2-shard job waits rather than land on the sick one.
            String second = cluster.submit("name: newcomer\ncommand: [sleep, '300']\nshards: 2\ndevicesPerShard: 1\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 8\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.job(second).has("waitingReason"));
            assertThat(cluster.job(second).get("state").asText()).isEqualTo("QUEUED");

            gpus(csv); // the errors clear
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.job(second).get("state").asText().equals("RUNNING"));
            List<Integer> placed = new ArrayList<>();
            cluster.job(second).get("shards").forEach(s -> placed.add(s.get("devices").get(0).asInt()));
            assertThat(placed).contains(spare);

            // The tool crashes: its devices turn unhealthy, the agent keeps heartbeating, the node stays READY.
            Files.writeString(smi, "#!/bin/sh\necho 'Segmentation fault' >&2\nexit 139\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> StreamSupport.stream(
                    cluster.nodes().get(0).get("devices").spliterator(), false).allMatch(d -> d.get("state").asText().equals("unhealthy")));
            assertThat(device(cluster, 0).get("problem").asText()).contains("stopped answering");
            assertThat(cluster.nodes().get(0).get("state").asText()).isEqualTo("READY");
            Files.writeString(smi, "#!/bin/sh\ncat '" + csv + "'\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> StreamSupport.stream(
                    cluster.nodes().get(0).get("devices").spliterator(), false).noneMatch(d -> d.get("state").asText().equals("unhealthy")));
        }
    }
}
