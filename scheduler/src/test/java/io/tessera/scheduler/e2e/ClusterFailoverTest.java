package io.tessera.scheduler.e2e;

import org.junit.jupiter.api.io.CleanupMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three scheduler members as separate JVMs sharing one database. The leader is killed with SIGKILL
 * while a client keeps submitting: no accepted job is lost, no device is placed twice, and
 * scheduling resumes. Then every member is killed and the cluster restarted: every accepted job is back.
 * Runs on PostgreSQL, the only database several members can share (the embedded one is
 * in-process only, see StateStoreClosedTest); takeover must take under 10 s.
 */
class ClusterFailoverTest {
    private static final String WAITS = "name: load\ncommand: [w]\nshards: 99\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 99\n";
    private static final String FITS = "name: probe\ncommand: [sleep, '300']\nshards: 2\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void onPostgres() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            List<String> accepted = leaderKillUnderLoadThenFullRestart(pg.url(), "postgres", 10.0);
            try (Connection c = DriverManager.getConnection(pg.url(), PostgresServer.USER, PostgresServer.PASSWORD);
                 ResultSet rows = c.createStatement().executeQuery("SELECT k FROM tessera_jobs")) {
                Set<String> stored = new HashSet<>();
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
                assertThat(stored).as("every accepted job is a row in PostgreSQL").containsAll(accepted);
            }
        }
    }

    /** Runs the drill; {@code limit} is the takeover bound asserted. Returns the ids of every accepted job. */
    private List<String> leaderKillUnderLoadThenFullRestart(String jdbcUrl, String db, double limit) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, jdbcUrl)) {
            cluster.start(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.up(0)); // the oldest member leads
            cluster.start(1);
            cluster.start(2);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.up(1) && cluster.up(2));
            try (AgentProcess agent = new AgentProcess(dir, "h20-a", cluster.urls(), "nvidia-h20", 8).start()) {
                String first = cluster.send(1, "POST", "/v1/jobs", FITS).json().get("id").asText();
                await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(state(cluster, 1, first)));

                List<String> accepted = new CopyOnWriteArrayList<>(List.of(first));
                AtomicBoolean submitting = new AtomicBoolean(true);
                Thread client = new Thread(() -> {
                    int i = 0;
                    while (submitting.get()) {
                        ProcessCluster.Answer a = cluster.send(i++ % 3, "POST", "/v1/jobs", WAITS);
                        if (a.status() == 201) {
                            accepted.add(a.json().get("id").asText());
                        }
                    }
                });
                client.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() > 10);

                long killed = System.nanoTime();
                cluster.kill(0);
                // A takeover past the bound keeps what would explain it: the survivors' threads, taken
                // while it is still slow, and their logs (fresh-clone runs took 15.39 s and 16.6 s: writes waited out 5 s backup acknowledgements dropped during migration; see HazelcastMember.BACKUP_ACK_TIMEOUT_MS).
                StringBuilder slow = new StringBuilder();
                ProcessCluster.Answer probe = await().atMost(Duration.ofSeconds(30))
                        .until(() -> cluster.send(1, "POST", "/v1/jobs", FITS), a -> a.status() == 201);
                String probeId = probe.json().get("id").asText();
                accepted.add(probeId);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    if (slow.isEmpty() && (System.nanoTime() - killed) / 1e9 > limit) {
                        slow.append(threads(cluster, 1)).append(threads(cluster, 2));
                    }
                    return List.of("PLACED", "RUNNING").contains(state(cluster, 1, probeId));
                });
                double takeover = (System.nanoTime() - killed) / 1e9;
                submitting.set(false);
                client.join();
                System.out.printf("[" + db + "] takeover: a job submitted after the leader's SIGKILL was placed %.2f s after the kill%n", takeover);
                if (takeover >= limit) {
                    System.out.println(slow + "\n[member 1 log]\n" + cluster.log(1) + "\n[member 2 log]\n" + cluster.log(2));
                }
                assertThat(takeover).as("takeover time (the members' threads and logs are printed above)").isLessThan(limit);

                assertNothingLost(cluster, 1, accepted);
                assertNoDeviceTwice(cluster, 2);

                cluster.kill(1);
                cluster.kill(2);
                for (int i = 0; i < 3; i++) {
                    cluster.start(i);
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> cluster.up(0) && cluster.up(1) && cluster.up(2));
                assertNothingLost(cluster, 2, accepted);
                assertThat(state(cluster, 0, probeId)).isIn("PLACED", "RUNNING");
                System.out.printf("[" + db + "] full restart: %d jobs accepted, %d present after killing every member%n",
                        accepted.size(), count(cluster, 0, accepted));
                return accepted;
            }
        }
    }

    /** A thread dump of member {@code i}, by the JDK's jcmd, or why there is none. */
    private static String threads(ProcessCluster c, int i) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(c.process(i).pid()), "Thread.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return "\n[member " + i + " threads while the takeover was slow]\n" + out;
        } catch (IOException e) {
            return "\n[member " + i + ": no thread dump: " + e.getMessage() + "]\n";
        }
    }

    private static String state(ProcessCluster c, int member, String id) {
        ProcessCluster.Answer a = c.send(member, "GET", "/v1/jobs/" + id, null);
        return a.status() == 200 ? a.json().get("state").asText() : "status-" + a.status();
    }

    private static long count(ProcessCluster c, int member, List<String> ids) {
        return ids.stream().filter(id -> c.send(member, "GET", "/v1/jobs/" + id, null).status() == 200).count();
    }

    private static void assertNothingLost(ProcessCluster c, int member, List<String> accepted) {
        for (String id : accepted) {
            assertThat(c.send(member, "GET", "/v1/jobs/" + id, null).status()).as("accepted job %s", id).isEqualTo(200);
        }
    }

    private static void assertNoDeviceTwice(ProcessCluster c, int member) {
        Set<String> used = new HashSet<>();
        JsonNode jobs = c.send(member, "GET", "/v1/jobs", null).json().get("jobs");
        for (JsonNode job : jobs) {
            if (List.of("PLACED", "RUNNING").contains(job.get("state").asText())) {
                for (JsonNode s : job.get("shards")) {
                    for (JsonNode d : s.get("devices")) {
                        assertThat(used.add(s.get("node").asText() + "/" + d.asInt())).as("device placed twice").isTrue();
                    }
                }
            }
        }
    }
}
