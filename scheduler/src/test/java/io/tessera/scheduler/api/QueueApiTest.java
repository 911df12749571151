package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues through the real API of a real member with durable state: a queue from the scheduler
 * config, admins defining and removing queues, users reading them, and every submit check (an
 * unknown queue, a queue the user may not use, a priority above the queue's maximum, a bad
 * definition) answered with a 4xx naming the field. Definitions survive a restart.
 */
class QueueApiTest {
    private static final String JSON = "application/json";
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String job(String queue, String priority) {
        return "name: q\ncommand: [sleep, '300']\nshards: 1\ndevicesPerShard: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 8\nqueue: " + queue + "\n" + priority;
    }

    private static List<String> fields(Response r) {
        List<String> out = new ArrayList<>();
        r.json().path("errors").forEach(e -> out.add(e.path("field").asText()));
        return out;
    }

    @Test
    void queuesAreDefinedCheckedAtSubmitShownAndDurable() {
        QueueSpec research = new QueueSpec("research", 1.0, null, null, null, List.of("bob"), null, 50, 100, null, null, null);
        try (TestCluster c = TestCluster.withQueues(dir, List.of(research))) {
            Response list = c.sendAs(TestCluster.ALICE, "GET", "/v1/queues", null, null);
            assertThat(list.status()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            list.json().path("queues").forEach(q -> names.add(q.path("queue").path("name").asText()));
            assertThat(names).contains("default", "research");

            String ml = "{\"weight\": 2, \"quota\": {\"tflops\": 500, \"devices\": {\"nvidia\": 16}}, \"cohort\": \"lab\"}";
            assertThat(c.sendAs(TestCluster.ALICE, "PUT", "/v1/queues/ml", bytes(ml), JSON).status()).isEqualTo(403);
            Response put = c.sendAs(TestCluster.ADMIN, "PUT", "/v1/queues/ml", bytes(ml), JSON);
            assertThat(put.status()).isEqualTo(200);
            JsonNode shown = c.sendAs(TestCluster.ALICE, "GET", "/v1/queues/ml", null, null).json();
            assertThat(shown.path("queue").path("weight").asDouble()).isEqualTo(2.0);
            assertThat(shown.path("queue").path("quota").path("tflops").asDouble()).isEqualTo(500.0);

            assertThat(fields(c.sendAs(TestCluster.ADMIN, "PUT", "/v1/queues/bad", bytes("{\"weight\": -1}"), JSON)))
                    .containsExactly("weight");
            Response typo = c.sendAs(TestCluster.ADMIN, "PUT", "/v1/queues/bad", bytes("{\"quota\": {\"tflops\": \"lots\"}}"),
                    JSON);
            assertThat(typo.status()).isEqualTo(400);
            assertThat(fields(typo)).containsExactly("quota.tflops");
            assertThat(fields(c.sendAs(TestCluster.ADMIN, "PUT", "/v1/queues/bad", bytes("{\"wieght\": 1}"), JSON)))
                    .hasSize(1);
            assertThat(fields(c.sendAs(TestCluster.ADMIN, "PUT", "/v1/queues/bad",
                    bytes("{\"defaultPriority\": 10, \"maxPriority\": 5}"), JSON))).containsExactly("defaultPriority");

            Response unknown = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", bytes(job("nope", "")), "application/yaml");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(fields(unknown)).containsExactly("queue");
            Response denied = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", bytes(job("research", "")), "application/yaml");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(fields(denied)).containsExactly("queue");
            Response tooHigh = c.sendAs(TestCluster.BOB, "POST", "/v1/jobs", bytes(job("research", "priority: 500\n")),
                    "application/yaml");
            assertThat(tooHigh.status()).isEqualTo(400);
            assertThat(fields(tooHigh)).containsExactly("priority");
            Response pinned = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", bytes(job("default",
                    "scheduling: {preemptible: false}\n")), "application/yaml");
            assertThat(pinned.status()).as("the default queue allows no non-preemptible jobs").isEqualTo(400);
            assertThat(fields(pinned)).containsExactly("scheduling.preemptible");
            String id = c.submitAs(TestCluster.BOB, job("research", ""));
            assertThat(c.job(id).path("priority").asInt()).as("the queue's default priority").isEqualTo(50);
            assertThat(c.submitAs(TestCluster.ALICE, job("default", ""))).isNotBlank();

            Response research2 = c.sendAs(TestCluster.ADMIN, "GET", "/v1/queues/research", null, null);
            assertThat(research2.json().path("pendingJobs").asInt()).isEqualTo(1);

            c.restartScheduler();
            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/queues/ml", null, null).status()).isEqualTo(200);
            assertThat(c.sendAs(TestCluster.ADMIN, "DELETE", "/v1/queues/ml", null, null).status()).isEqualTo(200);
            assertThat(c.sendAs(TestCluster.ADMIN, "DELETE", "/v1/queues/ml", null, null).status()).isEqualTo(404);
            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/queues/ml", null, null).status()).isEqualTo(404);
        }
    }

    /**
     * Regression (issue 27, N4): the open default queue let any user ask for priority 1000, and one
     * user preempted another's job round after round. Users stay within a queue's maxPriority (100
     * unless an admin sets it); admins may go up to 1000.
     */
    @Test
    void onlyAdminsGoAboveAQueuesMaxPriority() {
        try (TestCluster c = TestCluster.start(dir)) {
            Response user = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", bytes(job("default", "priority: 1000\n")),
                    "application/yaml");
            assertThat(user.status()).as(user.body()).isEqualTo(400);
            assertThat(fields(user)).containsExactly("priority");
            assertThat(user.body()).contains("at most 100");
            assertThat(c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", bytes(job("default", "priority: 100\n")),
                    "application/yaml").status()).isEqualTo(201);
            assertThat(c.sendAs(TestCluster.ADMIN, "POST", "/v1/jobs", bytes(job("default", "priority: 1000\n")),
                    "application/yaml").status()).isEqualTo(201);
        }
    }

    /**
     * Regression (issue 27, N5): a queue's maxNonPreemptible was checked apart from the insert, and
     * with a limit of 1, 12 parallel submissions got 5 accepted. Now the check and the insert are one
     * step under a cluster-wide lock.
     */
    @Test
    void parallelSubmissionsCannotAllPassALimitOfOneNonPreemptibleJob() throws Exception {
        QueueSpec pinned = new QueueSpec("pinned", null, null, null, null, List.of(), List.of(), null, null, null, null, 1);
        try (TestCluster c = TestCluster.withQueues(dir, List.of(pinned))) {
            byte[] body = bytes(job("pinned", "scheduling: {preemptible: false}\n"));
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Integer>> all = new ArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                for (int i = 0; i < 12; i++) {
                    all.add(pool.submit(() -> {
                        go.await();
                        return c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", body, "application/yaml").status();
                    }));
                }
                go.countDown();
                List<Integer> codes = new ArrayList<>();
                for (Future<Integer> f : all) {
                    codes.add(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(codes.stream().filter(code -> code == 201).count()).as("accepted of %s", codes).isEqualTo(1);
                assertThat(codes).containsOnly(201, 400);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Regression (issue 27, N11): every user saw each user's use of a queue by name; now only admins do. */
    @Test
    void aUserSeesOnlyTheirOwnUseOfAQueue() {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String a = c.submitAs(TestCluster.ALICE, job("default", ""));
            String b = c.submitAs(TestCluster.BOB, job("default", ""));
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(a).path("state").asText().equals("RUNNING")
                    && c.job(b).path("state").asText().equals("RUNNING"));
            JsonNode admin = c.sendAs(TestCluster.ADMIN, "GET", "/v1/queues/default", null, null).json();
            assertThat(admin.path("users").has("alice") && admin.path("users").has("bob")).as(admin.toString()).isTrue();
            JsonNode one = c.sendAs(TestCluster.ALICE, "GET", "/v1/queues/default", null, null).json();
            JsonNode all = c.sendAs(TestCluster.ALICE, "GET", "/v1/queues", null, null).json().path("queues").get(0);
            for (JsonNode seen : List.of(one, all)) {
                assertThat(seen.path("users").has("alice")).as(seen.toString()).isTrue();
                assertThat(seen.path("users").has("bob")).as(seen.toString()).isFalse();
            }
        }
    }
}
