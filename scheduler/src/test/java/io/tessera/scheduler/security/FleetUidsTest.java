package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.agent.Agent;
import io.tessera.config.AgentConfig;
import io.tessera.scheduler.e2e.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N12: a job's uid is allocated once across the fleet and released with the job. Two root agents
 * with per-job uids; the scheduler's range holds two uids. Each job's shards run under one uid on
 * both nodes; two live jobs never share one; a third live job waits for a uid (429); once a job
 * has finished, its uid goes to the next. Before, each agent picked a uid for itself, per node,
 * and never gave one back.
 */
class FleetUidsTest {
    @TempDir
    Path dir;

    private static String job(String name, String script, int shards) {
        return "name: " + name + "\ncommand: [sh, -c, '" + script + "']\nshards: " + shards + "\ndevicesPerShard: 1\n"
                + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    }

    private static Agent agent(TestCluster c, String node) {
        return Agent.start(new AgentConfig(c.url(), node, "127.0.0.1", Map.of(),
                List.of(AgentConfig.DeviceSource.simulated("nvidia-h20", 2)), c.dir().resolve(node).toString(), 200L, null,
                -1, null, TestCluster.JOIN, null, null, "200000-200099", null, null, null, null));
    }

    private static String uidLine(TestCluster c, String job, int shard) {
        TestCluster.Response log = c.send("GET", "/v1/jobs/" + job + "/shards/" + shard + "/log", null, null);
        return log.status() == 200 ? log.body().lines().filter(l -> l.startsWith("uid=")).findFirst().orElse("") : "";
    }

    @Test
    void oneUidPerLiveJobAcrossTheFleetGivenBackWhenItFinishes() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "per-job uids need root (CI runs as root)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestCluster c = TestCluster.withJobUids(dir, "200000-200001");
             Agent a = agent(c, "uid-a"); Agent b = agent(c, "uid-b")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> c.nodes().size() == 2);
            String wide = c.submit(job("wide", "echo uid=$(id -u); sleep 600", 4));
            await().atMost(Duration.ofSeconds(30)).until(() -> !uidLine(c, wide, 0).isEmpty() && !uidLine(c, wide, 3).isEmpty());
            String first = uidLine(c, wide, 0);
            for (int s = 1; s < 4; s++) {
                int shard = s;
                await().atMost(Duration.ofSeconds(30)).until(() -> !uidLine(c, wide, shard).isEmpty());
                assertThat(uidLine(c, wide, shard)).as("shard %d, on either node", shard).isEqualTo(first);
            }
            String queued = c.submit(job("queued", "echo uid=$(id -u)", 1));
            assertThat(c.sendAs(TestCluster.ADMIN, "POST", "/v1/jobs", job("third", "true", 1).getBytes(),
                    "application/yaml").status()).as("both uids belong to live jobs").isEqualTo(429);
            c.restartScheduler(); // the uid table is rebuilt from the jobs' records
            assertThat(c.sendAs(TestCluster.ADMIN, "POST", "/v1/jobs", job("third", "true", 1).getBytes(),
                    "application/yaml").status()).as("still held after a restart").isEqualTo(429);
            assertThat(c.send("DELETE", "/v1/jobs/" + wide, null, null).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(queued).path("state").asText().equals("SUCCEEDED"));
            String second = uidLine(c, queued, 0);
            assertThat(second).isNotEqualTo(first).isIn("uid=200000", "uid=200001");
            String next = c.submit(job("next", "echo uid=$(id -u)", 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(next).path("state").asText().equals("SUCCEEDED"));
            assertThat(uidLine(c, next, 0)).as("a finished job's uid, given back").isIn("uid=200000", "uid=200001");
        }
    }
}
