package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one user can learn of or take from another through the API: nothing of their jobs, not their checkpoint directory. */
class TenantIsolationTest {
    private static final String RUNS = "command: [sleep, '300']\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    @Test
    void usersSeeOnlyTheirOwnJobIdsOnNodes() {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String alices = c.submitAs(TestCluster.ALICE, "name: a\n" + RUNS);
            String bobs = c.submitAs(TestCluster.BOB, "name: b\n" + RUNS);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(alices).get("state").asText().equals("RUNNING")
                    && c.job(bobs).get("state").asText().equals("RUNNING"));
            String asBob = c.sendAs(TestCluster.BOB, "GET", "/v1/nodes", null, null).body();
            assertThat(asBob).contains(bobs, "\"allocated\":2").doesNotContain(alices);
            assertThat(c.sendAs(TestCluster.ADMIN, "GET", "/v1/nodes", null, null).body()).contains(alices, bobs);
        }
    }

    @Test
    void anotherUsersCheckpointDirectoryIsRefusedAtSubmit() {
        try (TestCluster c = TestCluster.start(dir)) {
            String ckpt = dir.resolve("ckpt/alice-run").toString();
            c.submitAs(TestCluster.ALICE, "name: a\n" + RUNS + "checkpointDir: " + ckpt + "\n");
            c.submitAs(TestCluster.ALICE, "name: a2\n" + RUNS + "checkpointDir: " + ckpt + "\n");
            for (String steal : new String[] {ckpt, ckpt + "/sub", dir.resolve("ckpt").toString()}) {
                Response r = c.sendAs(TestCluster.BOB, "POST", "/v1/jobs", ("name: b\n" + RUNS + "checkpointDir: " + steal + "\n")
                        .getBytes(), "application/yaml");
                assertThat(r.status()).as(steal).isEqualTo(400);
                assertThat(r.body()).contains("\"field\":\"checkpointDir\"");
            }
            assertThat(c.submitAs(TestCluster.BOB, "name: b\n" + RUNS + "checkpointDir: " + dir.resolve("ckpt-bob") + "\n"))
                    .startsWith("job-");
        }
    }

    @Test
    void noErrorEchoesMoreThan256CharactersOfInput() {
        try (TestCluster c = TestCluster.start(dir)) {
            String huge = "n".repeat(1 << 20);
            Response r = c.sendAs(TestCluster.ADMIN, "POST", "/v1/nodes/" + "x".repeat(4000) + "/drain", null, null);
            assertThat(r.body().length()).isLessThan(1024);
            Response enroll = c.sendAs(null, "POST", "/v1/agents/enroll", ("{\"node\":\"" + huge.substring(0, 500_000)
                    + "\",\"joinToken\":\"" + TestCluster.JOIN + "\"}").getBytes(), "application/json");
            assertThat(enroll.status()).isEqualTo(400);
            assertThat(enroll.body().length()).isLessThan(2048);
            Response job = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", ("name: " + huge.substring(0, 500_000) + "\n" + RUNS)
                    .getBytes(), "application/yaml");
            assertThat(job.status()).isEqualTo(400);
            assertThat(job.body().length()).isLessThan(4096);
        }
    }
}
