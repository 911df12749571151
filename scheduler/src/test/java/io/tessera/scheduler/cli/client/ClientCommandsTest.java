package io.tessera.scheduler.cli.client;

import java.nio.file.attribute.PosixFilePermissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.scheduler.cli.TesseraMain;
import io.tessera.scheduler.e2e.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client commands against a real scheduler and agent, as an ML engineer runs them: submit
 * and watch, list, status, logs, resubmit, cancel, nodes, fleet, queues and a live plan; with
 * {@code --json}, and their exit codes.
 */
class ClientCommandsTest {
    @TempDir
    Path dir;

    /** What one command printed and returned. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            return Documents.parseJson(out.getBytes());
        }
    }

    private static Run tessera(TestCluster c, String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", c.url(), "--token", token));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TesseraMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path jobFile(String name, String body) throws Exception {
        return Files.writeString(dir.resolve(name), body);
    }

    private static String worker(int steps) {
        return TestCluster.workerCommand() + "args: [\"--steps\", \"" + steps + "\", \"--checkpoint-every\", \"5\", "
                + "\"--time-scale\", \"0.02\"]\n";
    }

    @Test
    void anEngineersDayWithoutCurlOrSsh() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            Path job = jobFile("job.yaml", "name: day\n" + worker(20) + "shards: 2\ndevicesPerShard: 2\n"
                    + "model: {parameters: 125M, tokensPerSample: 512}\nglobalBatch: 16\n");

            Run watched = tessera(c, TestCluster.ALICE, "submit", job.toString(), "--watch", "--poll-ms", "200");
            assertThat(watched.code()).as(watched.err()).isZero();
            assertThat(watched.out()).startsWith("submitted job-").contains("PLACED", "RUNNING").contains("[####")
                    .contains("samples/s (predicted").contains("SUCCEEDED");
            String id = watched.out().substring("submitted ".length(), watched.out().indexOf(' ', "submitted ".length()));

            assertThat(tessera(c, TestCluster.ALICE, "jobs").out()).contains("no queued or running jobs");
            Run all = tessera(c, TestCluster.ALICE, "jobs", "--all", "--json");
            assertThat(all.json().get("jobs").findValuesAsText("id")).contains(id);
            assertThat(tessera(c, TestCluster.ALICE, "jobs", "--all").out()).contains(id).contains("SUCCEEDED").contains("alice");
            // regression: ?queue= and ?state= were ignored
            assertThat(tessera(c, TestCluster.ALICE, "jobs", "--all", "--queue", "other", "--json").json().get("jobs")).isEmpty();
            assertThat(tessera(c, TestCluster.ALICE, "jobs", "--state", "FAILED", "--json").json().get("jobs")).isEmpty();
            assertThat(tessera(c, TestCluster.ALICE, "jobs", "--all", "--queue", "default", "--limit", "1", "--json")
                    .json().get("jobs").findValuesAsText("id")).containsExactly(id);

            Run status = tessera(c, TestCluster.ALICE, "status", id);
            assertThat(status.code()).isZero();
            assertThat(status.out()).contains("SUCCEEDED", "owner:      alice", "started:", "finished:", "duration:",
                    "OUTCOME", "h20-a", "events:");
            assertThat(tessera(c, TestCluster.ALICE, "logs", id, "--shard", "1").out()).contains("TESSERA_PROGRESS step=20");
            assertThat(tessera(c, TestCluster.ALICE, "logs", id, "--tail", "1").out().lines().count()).isEqualTo(1);
            assertThat(tessera(c, TestCluster.BOB, "logs", id).code()).isEqualTo(Exit.NOT_FOUND);

            Run again = tessera(c, TestCluster.ALICE, "resubmit", id, "--watch", "--poll-ms", "200");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).startsWith("resubmitted " + id + " as job-").contains("SUCCEEDED");

            assertThat(tessera(c, TestCluster.ALICE, "nodes").out()).contains("h20-a", "READY", "nvidia-h20");
            Run fleet = tessera(c, TestCluster.ALICE, "fleet");
            assertThat(fleet.out()).contains("nvidia", "nvidia-h20", "total");
            assertThat(tessera(c, TestCluster.ALICE, "fleet", "--json").json().get("total").get("free").asInt()).isEqualTo(4);
            assertThat(tessera(c, TestCluster.ALICE, "queues").out()).contains("default");
            Run plan = tessera(c, TestCluster.ALICE, "plan", "--job", job.toString());
            assertThat(plan.code()).as(plan.err()).isZero();
            assertThat(plan.out()).contains("precision bf16, 2 shards");
        }
    }

    @Test
    void cancelFailuresAndExitCodes() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            Path sleeper = jobFile("sleep.yaml", "name: sleeper\ncommand: [sleep, '300']\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 1\n");
            Run submitted = tessera(c, TestCluster.ALICE, "submit", sleeper.toString(), "--json");
            String id = submitted.json().get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).get("state").asText().equals("RUNNING"));
            Run cancel = tessera(c, TestCluster.ALICE, "cancel", id, "job-nope");
            assertThat(cancel.out()).contains(id + ": cancel requested (was RUNNING)");
            assertThat(cancel.err()).contains("job-nope");
            assertThat(cancel.code()).isEqualTo(Exit.NOT_FOUND);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).get("state").asText().equals("CANCELLED"));
            assertThat(tessera(c, TestCluster.ALICE, "status", id).code()).isEqualTo(Exit.JOB_FAILED);

            // a shard killed by a signal: the watch ends with 1 and names it, with its output
            Path crash = jobFile("crash.yaml", "name: crash\ncommand: [sh, -c, 'echo about to crash; kill -9 $$']\nshards: 1\n"
                    + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 1\nrestartLimit: 0\n");
            Run crashed = tessera(c, TestCluster.ALICE, "submit", crash.toString(), "--watch", "--poll-ms", "200");
            assertThat(crashed.code()).isEqualTo(Exit.JOB_FAILED);
            assertThat(crashed.out()).contains("first failure: shard 0 was killed by SIGKILL (exit code 137)")
                    .contains("| about to crash");

            Path invalid = jobFile("bad.yaml", "name: bad\ncommand: [w]\nshards: 0\nflopsPerSample: 1\nmemoryPerShardGiB: 1\n"
                    + "globalBatch: 1\n");
            Run bad = tessera(c, TestCluster.ALICE, "submit", invalid.toString());
            assertThat(bad.code()).isEqualTo(Exit.USAGE);
            assertThat(bad.err()).contains("shards");
            String shardsError = bad.err().lines().filter(l -> l.contains("shards")).findFirst().orElseThrow().strip();
            assertThat(bad.err().split(Pattern.quote(shardsError.substring(shardsError.indexOf("shards")))))
                    .as("regression: the first error was printed twice").hasSize(2);
            Run badJson = tessera(c, TestCluster.ALICE, "submit", invalid.toString(), "--json");
            assertThat(badJson.code()).isEqualTo(Exit.USAGE);
            assertThat(badJson.json().get("status").asInt()).as("regression: --json printed text on a 400").isEqualTo(400);
            assertThat(badJson.json().get("errors").get(0).get("field").asText()).isEqualTo("shards");
            Path broken = jobFile("broken.yaml", "name: broken\ncommand: [w\nshards: 1\n");
            Run yaml = tessera(c, TestCluster.ALICE, "submit", broken.toString());
            assertThat(yaml.code()).isEqualTo(Exit.USAGE);
            assertThat(yaml.err()).as("regression: it named 'reader', not the file").contains(broken.toString())
                    .contains("line 3").contains("`shards: 1`").doesNotContain("reader");
            assertThat(tessera(c, "tsk_nobody", "jobs").code()).isEqualTo(Exit.AUTH);
            assertThat(tessera(c, TestCluster.ALICE, "status", "job-none").code()).isEqualTo(Exit.NOT_FOUND);
            assertThat(tessera(c, TestCluster.ALICE, "submit", dir.resolve("missing.yaml").toString()).code()).isEqualTo(Exit.USAGE);
            Run down = run("jobs", "--url", "http://127.0.0.1:1", "--token", TestCluster.ALICE);
            assertThat(down.code()).isEqualTo(Exit.UNAVAILABLE);
            assertThat(down.err()).contains("cannot reach the scheduler at http://127.0.0.1:1 (from --url)");
        }
    }

    @Test
    void theConfigFileMustBePrivateWhenItHoldsAToken() throws Exception {
        Path cfg = Files.writeString(dir.resolve("config.yaml"), "url: http://127.0.0.1:1\ntoken: tsk_x\n");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-r--r--"));
        Run open = run("jobs", "--config", cfg.toString());
        assertThat(open.code()).isEqualTo(Exit.USAGE);
        assertThat(open.err()).contains("chmod 600");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-------"));
        Run closed = run("jobs", "--config", cfg.toString());
        assertThat(closed.code()).isEqualTo(Exit.UNAVAILABLE); // it was read: the URL in it is down
        assertThat(closed.err()).as("regression: it said 'the configured URL'")
                .contains("cannot reach the scheduler at http://127.0.0.1:1 (from " + cfg + ")");
    }
}
