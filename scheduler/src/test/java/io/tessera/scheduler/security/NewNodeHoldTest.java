package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 27, N9, in part): a rogue node enrolled with the fleet's join token was READY at
 * once with all it claimed. With {@code auth.holdNewNodes}, a new node runs nothing until an admin
 * accepts its inventory.
 */
class NewNodeHoldTest {
    @TempDir
    Path dir;

    @Test
    void aNewNodeRunsNothingUntilAnAdminAcceptsIt() {
        try (TestCluster c = TestCluster.start(dir, TestCluster.holdingNewNodes(dir))) {
            c.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            assertThat(c.nodes().get(0).path("deviceCounts").path("unhealthy").asInt()).as(c.nodes().toString())
                    .isEqualTo(2);
            String id = c.submit("name: held\ncommand: [sh, -c, 'exit 0']\nshards: 1\nflopsPerSample: 1e12\n"
                    + "memoryPerShardGiB: 1\nglobalBatch: 1\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).hasNonNull("waitingReason"));
            assertThat(c.job(id).path("state").asText()).isEqualTo("QUEUED");

            assertThat(c.sendAs(TestCluster.ALICE, "POST", "/v1/nodes/h20-a/accept", null, null).status()).isEqualTo(403);
            assertThat(c.sendAs(TestCluster.ADMIN, "POST", "/v1/nodes/h20-a/accept", null, null).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).path("state").asText().equals("SUCCEEDED"));
        }
    }
}
