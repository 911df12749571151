package io.tessera.scheduler.metrics;

import org.awaitility.core.ConditionTimeoutException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.Agent;
import io.tessera.config.AgentConfig.DeviceSource;
import io.tessera.config.Documents;
import io.tessera.scheduler.e2e.TestCluster;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard check: a real Tessera cluster (scheduler; Nvidia, Ascend and custom-ASIC agents
 * using their real detectors on fake tools; running, finished and waiting jobs) scraped by a real
 * Prometheus, and every query of every panel must return data. Fails naming the panels that do not.
 * Needs the prometheus binary (.ci/run installs Debian's package); without it the test is skipped
 * locally and fails under CI.
 */
class DashboardPrometheusTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPanelQueryReturnsDataFromARealPrometheus() throws Exception {
        Optional<Path> prometheus = findPrometheus();
        if (prometheus.isEmpty() && System.getenv("CI") != null) {
            throw new AssertionError("prometheus is not installed; .ci/run should have installed Debian's package");
        }
        Assumptions.assumeTrue(prometheus.isPresent(), "prometheus binary not found; install it to run the dashboard check");
        try (TestCluster cluster = TestCluster.start(dir)) {
            List<Agent> agents = List.of(
                    cluster.agent("nvidia-1", new DeviceSource("nvidia", fakeNvidia().toString(), 5000L, null, null, null)),
                    cluster.agent("ascend-1", new DeviceSource("ascend", fakeAscend().toString(), 5000L, null, null, null)),
                    cluster.agent("asic-1", new DeviceSource("plugin", fakePlugin().toString(), 5000L, null, null, null)));
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 3);
            submitJobs(cluster);
            Process prom = startPrometheus(prometheus.get(), cluster, agents);
            try {
                List<Dashboard.Query> queries = Dashboard.queries();
                List<String> failing = new ArrayList<>();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    failing.clear();
                    for (Dashboard.Query q : queries) {
                        if (!hasData(q.expr())) {
                            failing.add("'" + q.panel() + "': " + q.expr());
                        }
                    }
                    return failing.isEmpty();
                });
                assertThat(failing).as("panels whose query returned no data").isEmpty();
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("panels whose query returned no data from Prometheus:\n  "
                        + String.join("\n  ", lastFailing()), e);
            } finally {
                prom.descendants().forEach(ProcessHandle::destroyForcibly);
                prom.destroyForcibly();
            }
        }
    }

    private final List<String> lastFailingPanels = new ArrayList<>();

    private List<String> lastFailing() throws Exception {
        lastFailingPanels.clear();
        for (Dashboard.Query q : Dashboard.queries()) {
            if (!hasData(q.expr())) {
                lastFailingPanels.add("'" + q.panel() + "': " + q.expr());
            }
        }
        return lastFailingPanels;
    }

    private int promPort;

    private boolean hasData(String expr) throws Exception {
        String q = expr.replace("$__rate_interval", "30s").replace("$__range", "10m");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return false;
        }
        JsonNode body = Documents.parseJson(r.body().getBytes(StandardCharsets.UTF_8));
        return "success".equals(body.path("status").asText()) && body.path("data").path("result").size() > 0;
    }

    private void submitJobs(TestCluster cluster) {
        // Runs and reports measured throughput.
        cluster.submit("name: resident\ncommand: [sh, -c, 'while true; do echo \"TESSERA_PROGRESS step=1 total=9 "
                + "samples_per_sec=12.5\"; sleep 1; done']\nshards: 3\ndevicesPerShard: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 30\n");
        // Finishes at once: a worker exit.
        cluster.submit("name: quick\ncommand: [sh, -c, 'exit 0']\nshards: 1\ndevicesPerShard: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 4\n");
        // Cannot fit: waits, with vetoes.
        cluster.submit("name: too-big\ncommand: [w]\nshards: 99\ndevicesPerShard: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 99\nallowUnschedulable: true\n");
    }

    private Process startPrometheus(Path binary, TestCluster cluster, List<Agent> agents) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            promPort = s.getLocalPort();
        }
        StringBuilder targets = new StringBuilder();
        for (Agent a : agents) {
            targets.append("\"127.0.0.1:").append(a.metricsPort()).append("\",");
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n"
                + "  - job_name: tessera-scheduler\n    authorization: {credentials: " + TestCluster.ADMIN + "}\n"
                + "    static_configs: [{targets: [\"" + cluster.url().replace("http://", "")
                + "\"]}]\n  - job_name: tessera-agent\n    static_configs: [{targets: [" + targets.substring(0, targets.length() - 1)
                + "]}]\n");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions() // connection refused until Prometheus listens (slow on a loaded machine)
                .until(() -> hasData("up == 1") && countUp() == 4);
        return p;
    }

    private int countUp() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                + "/api/v1/query?query=" + URLEncoder.encode("up == 1", StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return Documents.parseJson(r.body().getBytes(StandardCharsets.UTF_8)).path("data").path("result").size();
    }

    private static Optional<Path> findPrometheus() {
        for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "prometheus");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Path fakeNvidia() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            csv.append(i).append(", GPU-dash-").append(i).append(", NVIDIA H20, 97871, ").append(2048 * i)
                    .append(", ").append(20 * i).append(", ").append(40 + i).append(", ").append(90 + i)
                    .append(", ").append(i == 3 ? 1 : 0).append(", Disabled\\n");
        }
        return script("nvidia-smi", "printf '" + csv + "'");
    }

    private Path fakeAscend() throws Exception {
        String table = String.join("\\n",
                "| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|",
                "| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |",
                "| 0     910B3               | OK            | 101.8       43                0    / 0             |",
                "| 0                         | 0000:C1:00.0  | 35          0    / 0          3318 / 65536         |",
                "| 1     910B3               | OK            | 92.0        39                0    / 0             |",
                "| 0                         | 0000:C2:00.0  | 10          0    / 0          3314 / 65536         |");
        return script("npu-smi", "case \"$*\" in info) printf '" + table + "\\n' ;; *) exit 1 ;; esac");
    }

    private Path fakePlugin() throws Exception {
        return script("acme-inventory", "echo '{\"visibilityEnv\": \"ACME_VISIBLE_DEVICES\", \"devices\": ["
                + "{\"index\": 0, \"model\": \"ACME TPX-1\", \"memoryGiB\": 96, \"memoryUsedGiB\": 2, \"utilizationPercent\": 40,"
                + " \"temperatureC\": 55, \"powerW\": 300}, {\"index\": 1, \"model\": \"ACME TPX-1\", \"memoryGiB\": 96,"
                + " \"memoryUsedGiB\": 1, \"utilizationPercent\": 5, \"temperatureC\": 50, \"powerW\": 250}]}'");
    }
}
