package io.tessera.scheduler.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.config.AuthConfig;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.security.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N9: fleet join tokens from the operator's file carry an expiry, a use count (counted across
 * the cluster) and a node; and enrollment is one compare-and-set, so of enrollments racing for
 * one node exactly one gets a credential. Before, a file token enrolled any node forever, and
 * twelve racing enrollments of one node all got a credential (the last one written won).
 */
class JoinTokenLimitsTest {
    @TempDir
    Path dir;

    private int enroll(TestCluster c, String node, String token) {
        return c.sendAs(null, "POST", "/v1/agents/enroll", ("{\"node\":\"" + node + "\",\"joinToken\":\"" + token + "\"}")
                .getBytes(), "application/json").status();
    }

    @Test
    void fileTokensExpireRunOutAndBindToANode() throws Exception {
        Instant future = Instant.now().plusSeconds(3600);
        Path join = Files.writeString(dir.resolve("fleet-join"), String.join("\n",
                "# fleet tokens",
                Tokens.sha256(TestCluster.JOIN),
                Tokens.sha256("tsj_expired") + " expires=2020-01-01T00:00:00Z",
                Tokens.sha256("tsj_two-uses") + " uses=2 expires=" + future,
                Tokens.sha256("tsj_only-gpu-7") + " node=gpu-7",
                Tokens.sha256("tsj_race") + " uses=50") + "\n");
        AuthConfig token = TestCluster.tokenAuth(dir);
        AuthConfig auth = new AuthConfig("token", token.tokenFile(), join.toString(), null, null, null);
        try (TestCluster c = TestCluster.start(dir, auth)) {
            assertThat(enroll(c, "a1", "tsj_expired")).isEqualTo(401);
            assertThat(enroll(c, "a1", "tsj_two-uses")).isEqualTo(200);
            assertThat(enroll(c, "a2", "tsj_two-uses")).isEqualTo(200);
            assertThat(enroll(c, "a3", "tsj_two-uses")).as("spent").isEqualTo(401);
            assertThat(enroll(c, "gpu-8", "tsj_only-gpu-7")).isEqualTo(401);
            assertThat(enroll(c, "gpu-7", "tsj_only-gpu-7")).isEqualTo(200);
            assertThat(enroll(c, "old-style", TestCluster.JOIN)).as("a line with no limits, as before").isEqualTo(200);

            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Integer>> racing = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    racing.add(pool.submit((Callable<Integer>) () -> enroll(c, "race-1", "tsj_race")));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : racing) {
                    statuses.add(f.get());
                }
                assertThat(statuses).as("one credential for one node").filteredOn(s -> s == 200).hasSize(1);
                assertThat(statuses).filteredOn(s -> s != 200).containsOnly(409);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aBadLineIsRefusedAndNamed() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad"), Tokens.sha256("x") + "\nnot-a-hash\n");
        assertThatThrownBy(() -> new TokenFile(bad).get()).isInstanceOf(ValidationException.class).hasMessageContaining("bad:2");
        Path unknown = Files.writeString(dir.resolve("unknown"), Tokens.sha256("x") + " forever=yes\n");
        assertThatThrownBy(() -> new TokenFile(unknown).get()).hasMessageContaining("unknown field 'forever=yes'");
        Path zero = Files.writeString(dir.resolve("zero"), Tokens.sha256("x") + " uses=0\n");
        assertThatThrownBy(() -> new TokenFile(zero).get()).hasMessageContaining("at least 1");
    }
}
