package io.tessera.scheduler.e2e;

import org.junit.jupiter.api.io.CleanupMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.health.HealthMonitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health that tells the truth: a member whose database is gone (PostgreSQL stopped; the embedded
 * database on a full disk) answers 503 on /readyz and exits, so its supervisor restarts it,
 * instead of answering 200 while it cannot keep what it accepts. Scheduler members as separate JVMs.
 */
class HealthTruthTest {
    private static final String BIG = "name: fill\ncommand: [w]\nshards: 99\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\n"
            + "globalBatch: 99\nenv: {A: '" + "a".repeat(30_000) + "', B: '" + "b".repeat(30_000) + "'}\n";
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aMemberWhosePostgresStopsSays503AndExits() throws Exception {
        PostgresServer pg = PostgresServer.start();
        try (ProcessCluster cluster = new ProcessCluster(dir, 1, pg.url())) {
            cluster.start(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.up(0));
            assertThat(cluster.send(0, "GET", "/readyz", null).status()).isEqualTo(200);
            assertThat(cluster.send(0, "GET", "/readyz", null).json().get("database").asText()).isEqualTo("ok");
            pg.close();
            AtomicBoolean saw503 = new AtomicBoolean();
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (cluster.send(0, "GET", "/readyz", null).status() == 503) {
                    saw503.set(true);
                }
                return !cluster.process(0).isAlive();
            });
            assertThat(cluster.process(0).exitValue()).isEqualTo(HealthMonitor.EXIT_STATUS);
            assertThat(saw503).as("/readyz said 503 before the member exited").isTrue();
            assertThat(cluster.log(0)).contains("the database failed 3 checks in a row");
        } finally {
            pg.close();
        }
    }

    @Test
    void aMemberOnAFullDiskSays503AndExits() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root (CI is root)");
        Path state = Files.createDirectories(dir.resolve("state"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", state.toString()).inheritIO().start();
        assertThat(mount.waitFor()).isZero();
        try (ProcessCluster cluster = new ProcessCluster(dir, 1)) {
            cluster.start(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.up(0));
            assertThat(cluster.send(0, "GET", "/readyz", null).status()).isEqualTo(200);
            AtomicBoolean saw503 = new AtomicBoolean();
            int accepted = 0;
            for (int i = 0; i < 400 && cluster.process(0).isAlive(); i++) {
                int status = cluster.send(0, "POST", "/v1/jobs", BIG).status();
                if (status == 201) {
                    accepted++;
                }
                if (cluster.send(0, "GET", "/readyz", null).status() == 503) {
                    saw503.set(true);
                }
            }
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (cluster.send(0, "GET", "/readyz", null).status() == 503) {
                    saw503.set(true);
                }
                return !cluster.process(0).isAlive();
            });
            System.out.println("full disk: " + accepted + " jobs accepted before the disk filled");
            assertThat(cluster.process(0).exitValue()).isEqualTo(HealthMonitor.EXIT_STATUS);
            assertThat(saw503).isTrue();
        } finally {
            new ProcessBuilder("umount", "-l", state.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
