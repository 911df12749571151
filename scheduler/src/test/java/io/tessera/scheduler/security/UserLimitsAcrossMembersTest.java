package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.AuthConfig;
import io.tessera.config.LimitsConfig;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.SecretsConfig;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import io.tessera.scheduler.SchedulerNode;
import io.tessera.scheduler.e2e.TestCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N5: a user's job limit holds across members. Sixteen parallel submissions, spread over two
 * members, against a limit of 3 live jobs: exactly 3 are accepted. Before, each member counted on
 * its own between reads of the state, and a burst over two members got past the limit.
 */
class UserLimitsAcrossMembersTest {
    private static final String JOB = "name: q\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private SchedulerConfig member(String name, int port, List<String> members, AuthConfig auth) throws Exception {
        Path key = dir.resolve("secret.key");
        if (!Files.exists(key)) {
            Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        LimitsConfig limits = new LimitsConfig(3, null, null, 1000.0, 1000, null, null, null, null, null, null, null, null);
        return new SchedulerConfig("127.0.0.1", 0, name, port, members, null, null, null, null, null, null, null, null,
                null, null, null, auth, "limits-test-password", "127.0.0.1", "none", null, null, limits,
                new SecretsConfig(null, key.toString()), null, null, null, null, null);
    }

    @Test
    void aBurstOverTwoMembersCannotPassTheLimit() throws Exception {
        AuthConfig auth = TestCluster.tokenAuth(dir);
        String name = "limits-" + UUID.randomUUID();
        int p1 = freePort();
        int p2 = freePort();
        List<String> both = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
        try (SchedulerNode a = SchedulerNode.start(member(name, p1, both, auth), Clock.systemUTC());
             SchedulerNode b = SchedulerNode.start(member(name, p2, both, auth), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.hazelcast().getCluster().getMembers().size() == 2);
            HttpClient http = HttpClient.newHttpClient();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> all = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    int port = i % 2 == 0 ? a.port() : b.port();
                    all.add(pool.submit(() -> {
                        go.await();
                        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"))
                                .header("Authorization", "Bearer " + TestCluster.ALICE).header("Content-Type", "application/yaml")
                                .POST(HttpRequest.BodyPublishers.ofString(JOB)).build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode();
                    }));
                }
                go.countDown();
                List<Integer> codes = new ArrayList<>();
                for (Future<Integer> f : all) {
                    codes.add(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(codes.stream().filter(c -> c == 201).count()).as("accepted of %s", codes).isEqualTo(3);
                assertThat(codes).containsOnly(201, 429);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
