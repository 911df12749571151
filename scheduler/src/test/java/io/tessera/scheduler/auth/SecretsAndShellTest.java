package io.tessera.scheduler.auth;

import java.sql.DriverManager;
import java.util.List;
import io.tessera.scheduler.security.SecretBox;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret env values reach the worker but never the API or events; a shell runs only when the spec asks. */
class SecretsAndShellTest {
    @TempDir
    Path dir;

    @Test
    void secretsAreDeliveredButNeverShown() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String id = c.submitAs(TestCluster.ALICE, "name: s\ncommand: [sh, -c, 'echo HAS-SECRET-OF-LENGTH ${#API_KEY}']\n"
                    + "secretEnv: {API_KEY: s3cr3t-value}\nenv: {PLAIN: visible}\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).get("state").asText().equals("SUCCEEDED"));
            String one = c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + id, null, null).body();
            String all = c.sendAs(TestCluster.ADMIN, "GET", "/v1/jobs", null, null).body();
            assertThat(one).contains("\"API_KEY\":\"<redacted>\"", "\"PLAIN\":\"visible\"").doesNotContain("s3cr3t-value");
            assertThat(all).doesNotContain("s3cr3t-value");
            Path log = dir.resolve("h20-a/logs/" + id + "/shard-0/attempt-1.log");
            assertThat(Files.readString(log)).contains("HAS-SECRET-OF-LENGTH 12").doesNotContain("s3cr3t-value");
        }
    }

    @Test
    void secretsAreEncryptedAtRestInTheStateStoreAndTheDatabase() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String id = c.submitAs(TestCluster.ALICE, "name: s\ncommand: [sh, -c, 'echo GOT-$API_KEY; exec sleep 60']\n"
                    + "secretEnv: {API_KEY: s3cr3t-value}\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            Path log = dir.resolve("h20-a/logs/" + id + "/shard-0/attempt-1.log");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log) && Files.readString(log).contains("GOT-s3cr3t-value"));
            String password = Files.readString(dir.resolve("state/db.secret")).strip();
            StringBuilder rows = new StringBuilder();
            try (var db = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("state/tessera"), "sa", password)) {
                for (String table : List.of("tessera_jobs", "tessera_assignments")) {
                    try (var rs = db.createStatement().executeQuery("SELECT v FROM " + table)) {
                        while (rs.next()) {
                            rows.append(rs.getString(1)).append('\n');
                        }
                    }
                }
            }
            assertThat(rows.toString()).contains(id, SecretBox.PREFIX).doesNotContain("s3cr3t-value");
            assertThat(c.hazelcastValues()).contains(SecretBox.PREFIX).doesNotContain("s3cr3t-value");
            assertThat(c.submitStatus("name: s\ncommand: [x]\nenv: {K: '" + SecretBox.PREFIX
                    + "AAAA'}\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n")).isEqualTo(400);
        }
    }

    @Test
    void commandsAreNotInterpretedByAShellUnlessAsked() throws Exception {
        Path marker = dir.resolve("pwned");
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String direct = c.submit("name: d\ncommand: ['echo hi; touch " + marker + "']\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 4\nrestartLimit: 0\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(direct).get("state").asText().equals("FAILED"));
            assertThat(c.job(direct).get("events").toString()).contains("the job's command cannot be run").contains("SHARD_REFUSED");
            assertThat(marker).doesNotExist();
            String shell = c.submit("name: s\ncommand: ['echo \"$1\" > " + dir.resolve("out") + "']\nargs: [from-args]\n"
                    + "shell: true\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(shell).get("state").asText().equals("SUCCEEDED"));
            assertThat(dir.resolve("out")).content().isEqualToIgnoringNewLines("from-args");
        }
    }
}
