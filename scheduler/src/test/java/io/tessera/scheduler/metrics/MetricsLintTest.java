package io.tessera.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.agent.Agent;
import io.tessera.scheduler.e2e.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the scheduler and an agent serve at {@code /metrics}, checked by an independent tool,
 * Prometheus's own {@code promtool check metrics} (Debian's prometheus package; .ci/run installs
 * it), and against docs/metrics.md: every Tessera family served is documented there. Regression:
 * promtool exited 3 on both endpoints (three metrics without HELP), and three served families
 * were missing from the docs.
 */
class MetricsLintTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void bothEndpointsPassPromtoolAndEveryTesseraFamilyIsDocumented() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool) && System.getenv("CI") != null) {
            throw new AssertionError("promtool is not installed; .ci/run should have installed Debian's prometheus");
        }
        Assumptions.assumeTrue(Files.isExecutable(promtool), "promtool not found; install Debian's prometheus");
        try (TestCluster c = TestCluster.start(dir)) {
            Agent agent = c.agent("h20-a", "nvidia-h20", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
            String job = c.submit("name: m\ncommand: [sh, -c, 'echo TESSERA_PROGRESS step=1 total=2 samples_per_sec=3; "
                    + "sleep 2']\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 1\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> c.job(job).get("state").asText().equals("SUCCEEDED"));
            String scheduler = scrape(c.url() + "/metrics");
            String agentText = scrape("http://127.0.0.1:" + agent.metricsPort() + "/metrics");

            assertThat(promtool(promtool, scheduler)).as("promtool on the scheduler's /metrics").isEmpty();
            assertThat(scheduler).as("the only member leads").containsPattern("(?m)^tessera_leader 1(\\.0)?$");
            assertThat(promtool(promtool, agentText)).as("promtool on the agent's /metrics").isEmpty();

            String docs = Files.readString(Path.of("../docs/metrics.md"));
            Set<String> missing = new TreeSet<>();
            for (String family : families(scheduler + agentText)) {
                if (!docs.contains("`" + family + "`") && !docs.contains("`" + family.replaceAll("_total$", "") + "`")) {
                    missing.add(family);
                }
            }
            assertThat(missing).as("Tessera families served but not in docs/metrics.md").isEmpty();
        }
    }

    private String scrape(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** promtool's complaints about {@code text}; empty when it passes. */
    private String promtool(Path promtool, String text) throws Exception {
        Path in = Files.writeString(dir.resolve("scrape-" + System.nanoTime() + ".txt"), text);
        Path out = dir.resolve("promtool-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(in.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String said = Files.readString(out, StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + said;
    }

    /** The Tessera metric families in an exposition. */
    private static Set<String> families(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (tessera_\\w+) ").matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
