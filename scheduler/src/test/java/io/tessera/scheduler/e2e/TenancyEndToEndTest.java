package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.QueueSpec;
import io.tessera.config.QueueSpec.Quota;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two teams on one fleet of four real agents (4 H20 devices each), with the example worker as
 * real processes: alice's elastic job is shrunk back when bob's queue waits, and a queue reclaims
 * the quota it lent to its cohort. Victims stop at a checkpoint and resume from it.
 */
class TenancyEndToEndTest {
    /** One node's worth of normalized TFLOPS: 4 H20 devices at BF16 (148 x 0.55 each). */
    private static final double NODE = 4 * 148 * 0.55;
    @TempDir
    Path dir;

    private String job(String name, String queue, String shards, long steps) {
        return "name: " + name + "\nqueue: " + queue + "\n" + TestCluster.workerCommand()
                + "args: [--steps, '" + steps + "', --checkpoint-every, '100000', --time-scale, '0.02']\n"
                + "shards: " + shards + "\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\n"
                + "globalBatch: 64\ncheckpointDir: " + dir.resolve("ckpt-" + name) + "\n";
    }

    private static QueueSpec queue(String name, String user, Double quota, String cohort) {
        return new QueueSpec(name, 1.0, new Quota(quota, Map.of()), null, cohort, List.of(user), null, null, null, null,
                5_000L, null);
    }

    private static List<String> events(JsonNode job) {
        List<String> out = new ArrayList<>();
        job.path("events").forEach(e -> out.add(e.path("type").asText()));
        return out;
    }

    private static TestCluster fleet(Path dir, List<QueueSpec> queues) {
        TestCluster c = TestCluster.withQueues(dir, queues);
        for (int i = 1; i <= 4; i++) {
            c.agent("gpu-" + i, "nvidia-h20", 4);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 4);
        return c;
    }

    @Test
    void alicesElasticJobIsShrunkBackWhenBobsQueueWaits() {
        try (TestCluster c = fleet(dir, List.of(queue("team-a", "alice", null, null), queue("team-b", "bob", null, null)))) {
            String alices = c.submitAs(TestCluster.ALICE, job("alice", "team-a", "{min: 1, max: 4}", 100_000));
            await().atMost(Duration.ofSeconds(60)).until(() -> c.job(alices).path("shards").size() == 4
                    && c.job(alices).path("shards").path(0).path("step").asInt() > 0);
            String bobs = c.submitAs(TestCluster.BOB, job("bob", "team-b", "2", 5));
            await().atMost(Duration.ofSeconds(90)).until(() -> c.job(bobs).path("state").asText().equals("SUCCEEDED"));
            JsonNode a = c.job(alices);
            assertThat(events(a)).containsSubsequence("PREEMPTING", "PREEMPTED", "PLACED", "SHRUNK");
            assertThat(a.path("restarts").asInt()).isZero();
            assertThat(a.path("attempt").asInt()).isGreaterThanOrEqualTo(2);
            c.send("DELETE", "/v1/jobs/" + alices, null, null);
        }
    }

    @Test
    void aQueueReclaimsTheQuotaItLentToItsCohort() {
        double quota = 2 * NODE + 1;
        try (TestCluster c = fleet(dir, List.of(queue("a", "alice", quota, "lab"), queue("b", "bob", quota, "lab")))) {
            List<String> borrowers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                borrowers.add(c.submitAs(TestCluster.ALICE, job("a" + i, "a", "1", 100_000)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> borrowers.stream()
                    .allMatch(id -> c.job(id).path("state").asText().equals("RUNNING")));
            JsonNode lent = c.sendAs(TestCluster.ALICE, "GET", "/v1/queues/a", null, null).json();
            assertThat(lent.path("borrowedTflops").asDouble()).isPositive();

            String first = c.submitAs(TestCluster.BOB, job("b0", "b", "1", 100_000));
            String second = c.submitAs(TestCluster.BOB, job("b1", "b", "1", 5));
            await().atMost(Duration.ofSeconds(90)).until(() -> c.job(second).path("state").asText().equals("SUCCEEDED"));
            assertThat(c.job(first).path("state").asText()).isEqualTo("RUNNING");
            long preempted = borrowers.stream().filter(id -> events(c.job(id)).contains("PREEMPTED")).count();
            assertThat(preempted).as("one borrowed node reclaimed").isEqualTo(1);
            for (String id : borrowers) {
                c.send("DELETE", "/v1/jobs/" + id, null, null);
            }
            c.send("DELETE", "/v1/jobs/" + first, null, null);
        }
    }
}
