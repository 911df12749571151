package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a job record tells its owner, with a real scheduler and agent: owner and times, how each
 * shard of a failed job ended (also once it is in the history), the spec in a form that can be
 * submitted again, resubmission with a fresh checkpoint directory or {@code resumeFrom}, and a
 * job no state of the fleet could hold refused at submit.
 */
class JobRecordsEndToEndTest {
    @TempDir
    Path dir;

    /** Regression: a failed job showed its shards as PENDING; there was no owner, startedAt, finishedAt or duration. */
    @Test
    void aFailedJobShowsHowEachShardEndedAndItsTimesAlsoFromTheHistory() {
        LimitsConfig limits = new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null, 0L, null,
                new LimitsConfig.RestartBackoff(0L, 0L), null);
        try (TestCluster c = TestCluster.start(dir, limits)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String id = c.submitAs(TestCluster.ALICE, "name: fails\ncommand: [sh, -c, 'if [ $TESSERA_SHARD = 1 ]; then "
                    + "echo oom on shard 1 >&2; exit 7; fi; sleep 0.5; exit 1']\nshards: 2\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 2\nrestartLimit: 0\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("state").asText().equals("FAILED"));
            // terminalGraceMs 0: it moves to the history at once, with its shards' final reports
            await().atMost(Duration.ofSeconds(30)).until(() -> !c.hazelcastValues().contains(id)
                    && c.job(id).get("shards").findValuesAsText("phase").stream().noneMatch("RUNNING"::equals));
            JsonNode job = c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + id, null, null).json();
            assertThat(job.get("owner").asText()).isEqualTo("alice");
            assertThat(job.get("shards").findValuesAsText("phase")).doesNotContain("PENDING");
            assertThat(job.get("shards").get(1).get("outcome").asText()).isEqualTo("FAILED");
            assertThat(job.get("shards").get(1).get("exitCode").asInt()).isEqualTo(7);
            JsonNode failure = job.get("failure");
            assertThat(failure.get("shard").asInt()).isEqualTo(1);
            assertThat(failure.get("outputTail").get(0).asText()).isEqualTo("oom on shard 1");
            assertThat(job.get("submittedAt").asText()).isNotEmpty();
            assertThat(job.has("finishedAt")).isTrue();
            if (job.has("startedAt")) {
                assertThat(job.get("durationSec").asDouble()).isGreaterThanOrEqualTo(0);
            }
        }
    }

    /** Regression: a spec fetched with GET came back with {@code workload} for {@code model} and could not be submitted. */
    @Test
    void theSpecThatComesBackCanBeSubmittedAgain() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            String id = c.submit("name: round\ncommand: [w]\nshards: {min: 1, max: 2}\ndevicesPerShard: 2\n"
                    + "model: {parameters: 7B, tokensPerSample: 4096}\nglobalBatch: 64\nprecisions: [fp8, bf16]\n"
                    + "vendorPolicy: {maxVendorShare: 0.7}\nscheduling: {steps: 100}\n");
            JsonNode spec = c.job(id).get("spec");
            assertThat(spec.get("model").get("parameters").asDouble()).isEqualTo(7e9);
            assertThat(spec.has("workload")).isFalse();
            Response again = c.send("POST", "/v1/jobs", Documents.json().writeValueAsBytes(spec), "application/json");
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(c.job(again.json().get("id").asText()).get("spec")).isEqualTo(spec);
        }
    }

    /** Regression: resubmitting resumed the previous run's final checkpoint and trained zero steps. */
    @Test
    void aResubmittedJobStartsFreshUnlessItAsksToResume() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 1);
            Path base = Files.createDirectories(dir.resolve("ckpt"));
            String spec = "name: ck\ncommand: [sh, -c, 'ls $TESSERA_CHECKPOINT_DIR; echo dir=$TESSERA_CHECKPOINT_DIR; "
                    + "touch $TESSERA_CHECKPOINT_DIR/written-by-$TESSERA_JOB_ID']\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 1\ncheckpointDir: " + base + "\nsecretEnv: {API_KEY: s3cret}\n";
            String first = c.submit(spec);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(first).get("state").asText().equals("SUCCEEDED"));
            Response resubmitted = c.send("POST", "/v1/jobs/" + first + "/resubmit", null, null);
            assertThat(resubmitted.status()).as(resubmitted.body()).isEqualTo(201);
            String second = resubmitted.json().get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(second).get("state").asText().equals("SUCCEEDED"));
            assertThat(Files.exists(base.resolve(first).resolve("written-by-" + first))).isTrue();
            assertThat(Files.list(base.resolve(second)).map(p -> p.getFileName().toString()).toList())
                    .containsExactly("written-by-" + second);
            assertThat(c.job(second).get("events").get(0).get("message").asText()).contains("resubmitted from " + first);

            String resumed = c.submit(spec + "resumeFrom: " + first + "\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(resumed).get("state").asText().equals("SUCCEEDED"));
            String log = c.send("GET", "/v1/jobs/" + resumed + "/shards/0/log", null, null).body();
            assertThat(log).contains("written-by-" + first).contains("dir=" + base.resolve(first));

            Response notMine = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", (spec.replace(base.toString(),
                    dir.resolve("alice").toString()) + "resumeFrom: " + first + "\n").getBytes(), "application/yaml");
            assertThat(notMine.status()).isEqualTo(400);
            assertThat(notMine.json().get("errors").findValuesAsText("field")).containsExactly("resumeFrom");
            assertThat(c.sendAs(TestCluster.BOB, "POST", "/v1/jobs/" + first + "/resubmit", null, null).status()).isEqualTo(404);
        }
    }

    @Test
    void aFleetStillComingUpRefusesNothing() {
        try (TestCluster c = TestCluster.start(dir)) { // the default: settled 60 s after the last registration
            c.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            assertThat(c.submitStatus("name: wide\ncommand: [w]\nshards: 8\ndevicesPerShard: 4\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 8\n")).isEqualTo(201);
        }
    }

    /** Regression: a job that can never fit (8 x 4 devices on a 4-device fleet, an absent chip) was accepted and waited forever. */
    @Test
    void aJobNoStateOfTheFleetCouldHoldIsRefusedAtSubmitUnlessAllowed() {
        LimitsConfig settled = new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                TestCluster.FAST_RESTARTS.restartBackoff(), 0L); // the fleet counts as settled at once
        try (TestCluster c = TestCluster.start(dir, settled)) {
            c.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            String wide = "name: wide\ncommand: [w]\nshards: 8\ndevicesPerShard: 4\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 8\n";
            Response refused = c.send("POST", "/v1/jobs", wide.getBytes(), "application/yaml");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).contains("no state of this fleet could ever hold this job").contains("allowUnschedulable");
            Response absent = c.send("POST", "/v1/jobs", (wide.replace("shards: 8", "shards: 1")
                    + "chipTypes: [ascend-910b]\n").getBytes(), "application/yaml");
            assertThat(absent.status()).isEqualTo(400);
            Response allowed = c.send("POST", "/v1/jobs", (wide + "allowUnschedulable: true\n").getBytes(), "application/yaml");
            assertThat(allowed.status()).isEqualTo(201);
            String id = allowed.json().get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).path("waitingReason").asText().contains("can never fit"));
        }
    }
}
