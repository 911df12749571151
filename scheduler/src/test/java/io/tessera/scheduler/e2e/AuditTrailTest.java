package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.scheduler.cli.TesseraMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The audit trail end to end: after a scripted day (a node enrolls, a user submits and cancels,
 * another user tries to cancel that job, a stranger tries a bad token, a user tries to drain, an
 * admin drains and defines a queue), {@code GET /v1/audit} holds exactly those records, the SIEM
 * log carries the same ones, the CLI filters them, and they outlive a scheduler crash.
 */
class AuditTrailTest {
    @TempDir
    Path dir;

    private static List<String> rows(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("records").forEach(r -> out.add(0, r.get("actor").asText() + " " + r.get("action").asText() + " "
                + r.get("target").asText() + " " + r.get("status").asInt() + " " + r.get("outcome").asText()));
        return out;
    }

    @Test
    void aScriptedDayLeavesExactlyItsRecords() {
        ListAppender<ILoggingEvent> siem = new ListAppender<>();
        siem.start();
        ((Logger) LoggerFactory.getLogger("tessera.audit")).addAppender(siem);
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("n1", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            String job = c.submitAs(TestCluster.ALICE, "name: day\n" + TestCluster.workerCommand()
                    + "args: [\"--steps\", \"100000\"]\nshards: 1\ndevicesPerShard: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 4\n");
            assertThat(c.sendAs(TestCluster.ALICE, "DELETE", "/v1/jobs/" + job, null, null).status()).isEqualTo(200);
            assertThat(c.sendAs(TestCluster.BOB, "DELETE", "/v1/jobs/" + job, null, null).status()).isEqualTo(404);
            assertThat(c.sendAs("tsk_not-a-token", "GET", "/v1/jobs", null, null).status()).isEqualTo(401);
            assertThat(c.sendAs(TestCluster.ALICE, "POST", "/v1/nodes/n1/drain", null, null).status()).isEqualTo(403);
            assertThat(c.send("POST", "/v1/nodes/n1/drain", null, null).status()).isEqualTo(200);
            assertThat(c.send("PUT", "/v1/queues/research", "{\"quota\": {\"tflops\": 100}}".getBytes(),
                    "application/json").status()).isEqualTo(200);

            List<String> expected = List.of(
                    "- agent.enroll n1 200 ok",
                    "n1 agent.register  200 ok",
                    "alice job.submit " + job + " 201 ok",
                    "alice job.cancel " + job + " 200 ok",
                    "bob job.cancel " + job + " 404 refused",
                    "- auth.denied /v1/jobs 401 unauthenticated",
                    "alice node.drain n1 403 forbidden",
                    "admin node.drain n1 200 ok",
                    "admin queue.put research 200 ok");
            JsonNode page = c.send("GET", "/v1/audit", null, null).json();
            assertThat(rows(page)).containsExactlyElementsOf(expected);
            JsonNode bobs = page.get("records").get(4);
            assertThat(bobs.get("from").asText()).isEqualTo("127.0.0.1");
            assertThat(bobs.get("detail").asText()).contains("Not found");
            assertThat(siem.list).extracting(e -> Documents.parseJson(e.getFormattedMessage().getBytes()).get("action").asText())
                    .containsExactlyElementsOf(expected.stream().map(r -> r.split(" ")[1]).toList());

            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/audit", null, null).status()).as("admins only").isEqualTo(403);
            assertThat(rows(c.send("GET", "/v1/audit?actor=alice&action=job.", null, null).json()))
                    .containsExactly(expected.get(2), expected.get(3));
            assertThat(rows(c.send("GET", "/v1/audit?outcome=forbidden", null, null).json())).hasSize(2)
                    .as("the refused read of the trail itself is recorded").contains(expected.get(6));
            assertThat(c.send("GET", "/v1/audit?since=yesterday", null, null).body()).contains("since");

            String cli = run("audit", "--url", c.url(), "--token", TestCluster.ADMIN, "--target", "research");
            assertThat(cli).contains("queue.put").contains("admin").doesNotContain("job.cancel");

            c.restartScheduler();
            assertThat(rows(c.send("GET", "/v1/audit?limit=1000", null, null).json()))
                    .as("durable across a crash").containsSubsequence(expected);
        } finally {
            ((Logger) LoggerFactory.getLogger("tessera.audit")).detachAppender(siem);
        }
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        new CommandLine(new TesseraMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true)).execute(args);
        return out.toString();
    }
}
