package io.tessera.scheduler.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.cli.TesseraMain;
import io.tessera.scheduler.e2e.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An operator's day without curl (regression: drain, join tokens, revoke and queues had no CLI):
 * drain and undrain, join tokens issued and revoked, a node revoked and readmitted, a queue put
 * (its device quota shown by {@code tessera queues}) and deleted, and which member leads; a user
 * who is no admin is refused each.
 */
class OperatorCommandsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run tessera(TestCluster c, String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", c.url(), "--token", token));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new TesseraMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anOperatorsDayWithoutCurl() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            String admin = TestCluster.ADMIN;
            c.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);

            assertThat(tessera(c, admin, "drain", "h20-a").out()).contains("h20-a: drained");
            assertThat(c.nodes().get(0).get("drained").asBoolean()).isTrue();
            assertThat(tessera(c, admin, "undrain", "h20-a").out()).contains("h20-a: undrained (2 devices free)");
            assertThat(tessera(c, admin, "drain", "nope").code()).isEqualTo(Exit.NOT_FOUND);

            Run issued = tessera(c, admin, "join-token", "issue", "--node", "new-1", "--uses", "2");
            assertThat(issued.code()).as(issued.err()).isZero();
            String id = issued.out().lines().findFirst().orElseThrow().split(" ")[2];
            assertThat(issued.out()).contains("2 use(s)").contains("node new-1").contains("not shown again");
            assertThat(tessera(c, admin, "join-token", "revoke", id).out()).contains("join token " + id + " revoked");
            assertThat(tessera(c, admin, "join-token", "revoke", id).code()).isEqualTo(Exit.NOT_FOUND);

            assertThat(tessera(c, admin, "revoke", "h20-a").out()).contains("h20-a: credential revoked");
            assertThat(tessera(c, admin, "readmit", "h20-a").out()).contains("h20-a: readmitted");

            Path queue = Files.writeString(dir.resolve("research.yaml"),
                    "name: research\nweight: 2\nquota: {devices: {nvidia-h20: 4}}\n");
            assertThat(tessera(c, admin, "queue", "put", queue.toString()).out()).contains("queue research defined");
            assertThat(tessera(c, admin, "queues").out()).contains("research").contains("nvidia-h20=4");
            assertThat(tessera(c, admin, "queue", "delete", "research").out()).contains("queue research deleted");
            assertThat(tessera(c, admin, "queues").out()).doesNotContain("research");

            Run cluster = tessera(c, admin, "cluster");
            assertThat(cluster.out()).contains("leader (epoch").contains("answered");

            for (String[] refused : List.of(new String[] {"drain", "h20-a"}, new String[] {"join-token", "issue"},
                    new String[] {"queue", "delete", "default"}, new String[] {"cluster"}, new String[] {"revoke", "h20-a"})) {
                assertThat(tessera(c, TestCluster.ALICE, refused).code()).as(String.join(" ", refused))
                        .isEqualTo(Exit.AUTH);
            }
        }
    }
}
