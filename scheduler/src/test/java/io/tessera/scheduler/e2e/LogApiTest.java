package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster.Response;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/jobs/{id}/shards/{n}/log} with a real scheduler and agent: relayed from the node
 * that ran the attempt, readable by the job's owner and admins only, by attempt, tail and follow.
 */
class LogApiTest {
    @TempDir
    Path dir;

    private static String log(TestCluster c, String token, String path) {
        Response r = c.sendAs(token, "GET", path, null, null);
        return r.status() + " " + r.body();
    }

    @Test
    void ownersAndAdminsReadEachAttemptOthersSeeNothing() {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            // attempt 1 fails, attempt 2 succeeds: two logs of one shard
            String id = c.submitAs(TestCluster.ALICE, "name: twice\ncommand: [sh, -c, 'echo line-a$TESSERA_ATTEMPT; "
                    + "echo line-b$TESSERA_ATTEMPT; [ $TESSERA_ATTEMPT -ge 2 ]']\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 2\nrestartLimit: 1\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("state").asText().equals("SUCCEEDED"));
            String base = "/v1/jobs/" + id + "/shards/0/log";
            assertThat(log(c, TestCluster.ALICE, base)).isEqualTo("200 line-a2\nline-b2\n");
            assertThat(log(c, TestCluster.ALICE, base + "?attempt=1")).isEqualTo("200 line-a1\nline-b1\n");
            assertThat(log(c, TestCluster.ADMIN, base + "?attempt=2&tail=1")).isEqualTo("200 line-b2\n");
            assertThat(log(c, TestCluster.BOB, base)).startsWith("404 ").contains("no job with id");
            assertThat(log(c, TestCluster.ALICE, base + "?attempt=3")).startsWith("404 ").contains("no attempt 3");
            assertThat(log(c, TestCluster.ALICE, "/v1/jobs/" + id + "/shards/5/log")).startsWith("404 ");
            Response bad = c.sendAs(TestCluster.ALICE, "GET", base + "?tail=-1&follow=maybe", null, null);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("tail", "follow");
            assertThat(c.sendAs("tsk_nobody", "GET", base, null, null).status()).isEqualTo(401);
            // the node's log key is never shown
            assertThat(c.send("GET", "/v1/nodes", null, null).body()).doesNotContain("tsl_");
        }
    }

    @Test
    void followStreamsTheLogUntilTheWorkerEnds() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 1);
            Path gate = dir.resolve("gate");
            String id = c.submit("name: follow\ncommand: [sh, -c, 'echo before; while [ ! -f " + gate
                    + " ]; do sleep 0.05; done; echo after']\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 1\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> log(c, TestCluster.ADMIN,
                    "/v1/jobs/" + id + "/shards/0/log").equals("200 before\n"));
            HttpRequest req = HttpRequest.newBuilder(URI.create(c.url() + "/v1/jobs/" + id + "/shards/0/log?follow=true"))
                    .header("Authorization", "Bearer " + TestCluster.ADMIN).build();
            HttpResponse<InputStream> resp = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(resp.headers().firstValue("X-Tessera-Node")).contains("h20-a");
            try (InputStream in = resp.body()) {
                assertThat(new String(in.readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("before\n");
                Files.writeString(gate, "go");
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("after\n");
            }
        }
    }
}
