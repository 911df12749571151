package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.LimitsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finished jobs leave the hot state for the history table, stay readable by id and in pages
 * (with filters), and survive a restart; bad paging parameters are 400s naming them.
 */
class JobHistoryTest {
    private static final String QUICK = "command: [\"true\"]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    @Test
    void finishedJobsMoveToTheHistoryAndStayReadable() {
        LimitsConfig limits = new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null, 0L, null);
        try (TestCluster c = TestCluster.start(dir, limits)) {
            c.agent("h20-a", "nvidia-h20", 2);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(c.submitAs(TestCluster.ALICE, "name: done-" + i + "\n" + QUICK));
            }
            String bobs = c.submitAs(TestCluster.BOB, "name: bobs\n" + QUICK);
            String curved = c.submitAs(TestCluster.ALICE, "name: curved\ncommand: [sh, -c, 'echo TESSERA_PROGRESS step=1 "
                    + "total=1 loss=0.75; sleep 1.5']\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> !c.hazelcastValues().contains(id))
                    && !c.hazelcastValues().contains(bobs) && !c.hazelcastValues().contains(curved));
            for (String id : ids) {
                JsonNode job = c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + id, null, null).json();
                assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
            }
            assertThat(c.sendAs(TestCluster.BOB, "GET", "/v1/jobs/" + ids.get(0), null, null).status()).isEqualTo(404);

            Set<String> seen = new HashSet<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs?limit=2&state=SUCCEEDED"
                        + (cursor == null ? "" : "&cursor=" + cursor), null, null).json();
                page.get("jobs").forEach(j -> seen.add(j.get("id").asText()));
                assertThat(page.get("jobs").size()).isLessThanOrEqualTo(2);
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
                pages++;
            } while (cursor != null && pages < 12);
            List<String> alices = new ArrayList<>(ids);
            alices.add(curved);
            assertThat(seen).containsExactlyInAnyOrderElementsOf(alices);
            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs?state=QUEUED", null, null).json().get("jobs")).isEmpty();
            assertThat(c.sendAs(TestCluster.ADMIN, "GET", "/v1/jobs?owner=bob", null, null).json().get("jobs").get(0)
                    .get("id").asText()).isEqualTo(bobs);

            c.restartScheduler();
            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + ids.get(2), null, null).json().get("state").asText())
                    .isEqualTo("SUCCEEDED");
            JsonNode curve = c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + curved + "/metrics", null, null).json();
            assertThat(curve.get("points").get(0).get("metrics").get("loss").asDouble()).as("its curve moved with it")
                    .isEqualTo(0.75);
            assertThat(c.sendAs(TestCluster.ALICE, "GET", "/v1/jobs/" + curved, null, null).json().get("training")
                    .get("metrics").get("loss").asDouble()).isEqualTo(0.75);
            assertThat(c.sendAs(TestCluster.BOB, "GET", "/v1/jobs/" + curved + "/metrics", null, null).status()).isEqualTo(404);
        }
    }

    @Test
    void badPagingParametersAre400sNamingThem() {
        try (TestCluster c = TestCluster.start(dir)) {
            for (String[] bad : List.of(new String[] {"limit=0", "limit"}, new String[] {"limit=abc", "limit"},
                    new String[] {"limit=5000", "limit"}, new String[] {"cursor=!!", "cursor"},
                    new String[] {"state=DONE", "state"}, new String[] {"queue=../x", "queue"})) {
                TestCluster.Response r = c.send("GET", "/v1/jobs?" + bad[0], null, null);
                assertThat(r.status()).as(bad[0]).isEqualTo(400);
                assertThat(r.body()).contains("\"field\":\"" + bad[1] + "\"");
            }
            TestCluster.Response other = c.sendAs(TestCluster.BOB, "GET", "/v1/jobs?owner=alice", null, null);
            assertThat(other.status()).isEqualTo(400);
            assertThat(other.body()).contains("\"field\":\"owner\"");
        }
    }
}
