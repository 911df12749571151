package io.tessera.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.AuthConfig;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.security.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N11: {@code /metrics} names no one's jobs to an anonymous scrape. Series labelled with a job
 * go only to a scrape token or an admin; users get the fleet view; a bad token is a 401.
 * Before, an anonymous scrape carried every job's id and name.
 */
class MetricsPrivacyTest {
    private static final String SCRAPE = "tsm_prometheus-scrape-token";
    @TempDir
    Path dir;

    @Test
    void perJobSeriesNeedAScrapeTokenOrAnAdmin() throws Exception {
        Path scrape = Files.writeString(dir.resolve("scrape-tokens"), "# prometheus\n" + Tokens.sha256(SCRAPE) + "\n");
        AuthConfig auth = TestCluster.tokenAuth(dir).withMetricsTokenFile(scrape.toString());
        try (TestCluster c = TestCluster.start(dir, auth)) {
            c.agent("n1", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            c.submitAs(TestCluster.ALICE, "name: secret-project-x\ncommand: [sh, -c, 'sleep 60']\nshards: 1\n"
                    + "devicesPerShard: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    c.sendAs(SCRAPE, "GET", "/metrics", null, null).body().contains("job_name=\"secret-project-x\""));

            String anonymous = c.sendAs(null, "GET", "/metrics", null, null).body();
            assertThat(anonymous).doesNotContain("secret-project-x").doesNotContain("job=\"job-")
                    .contains("tessera_devices").contains("# TYPE tessera_job_predicted_throughput");
            assertThat(c.sendAs(TestCluster.BOB, "GET", "/metrics", null, null).body()).as("a user: the fleet view")
                    .doesNotContain("secret-project-x").contains("tessera_devices");
            assertThat(c.sendAs(TestCluster.ADMIN, "GET", "/metrics", null, null).body()).contains("secret-project-x");
            assertThat(c.sendAs("tsm_wrong", "GET", "/metrics", null, null).status()).isEqualTo(401);
        }
    }
}
