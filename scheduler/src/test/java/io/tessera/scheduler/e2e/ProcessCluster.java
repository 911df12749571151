package io.tessera.scheduler.e2e;

import java.util.Map;
import java.util.TreeMap;
import java.util.Arrays;
import org.awaitility.Awaitility;
import java.util.Base64;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import io.tessera.scheduler.security.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Scheduler members as separate JVM processes (the tessera CLI's {@code scheduler} command) in one
 * Hazelcast cluster sharing one database (an embedded H2 file, or PostgreSQL), for failover and
 * restart tests. Killing a
 * member is SIGKILL.
 */
final class ProcessCluster implements AutoCloseable {
    private final Path dir;
    private final int size;
    private final int[] httpPorts;
    private final int[] hzPorts;
    private final Process[] members;
    private final String clusterName = "proc-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String jdbcUrl;

    ProcessCluster(Path dir, int size) throws IOException {
        this(dir, size, null);
    }

    /** Members write state through to {@code jdbcUrl} (a {@link PostgresServer}), or to a shared H2 file when null. */
    ProcessCluster(Path dir, int size, String jdbcUrl) throws IOException {
        this.jdbcUrl = jdbcUrl;
        this.dir = dir;
        this.size = size;
        this.httpPorts = new int[size];
        this.hzPorts = new int[size];
        this.members = new Process[size];
        for (int i = 0; i < size; i++) {
            httpPorts[i] = freePort();
            hzPorts[i] = freePort();
        }
        Files.writeString(dir.resolve("tokens.yaml"), "tokens:\n  - {name: admin, role: admin, sha256: "
                + Tokens.sha256(TestCluster.ADMIN) + "}\n");
        Files.writeString(dir.resolve("join"), Tokens.sha256(TestCluster.JOIN) + "\n");
        Files.writeString(Files.createFile(dir.resolve("cluster.secret"), PosixFilePermissions
                .asFileAttribute(PosixFilePermissions.fromString("rw-------"))), Tokens.generate("c"));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(Files.createFile(dir.resolve("secret.key"), PosixFilePermissions
                .asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                Base64.getEncoder().encodeToString(key));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts member {@code i} as a new JVM. */
    private long heartbeatMs = 300;
    private long timeoutMs = 3000;

    /** Members tell agents to heartbeat every {@code intervalMs} (from the next start on). */
    ProcessCluster heartbeat(long intervalMs, long timeoutMs) {
        this.heartbeatMs = intervalMs;
        this.timeoutMs = timeoutMs;
        return this;
    }

    void start(int i) throws IOException {
        StringBuilder peers = new StringBuilder();
        for (int p : hzPorts) {
            peers.append(peers.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
        }
        Path config = dir.resolve("member-" + i + ".yaml");
        Files.writeString(config, String.join("\n",
                "httpPort: " + httpPorts[i], "clusterName: " + clusterName, "hazelcastPort: " + hzPorts[i],
                "members: [" + peers + "]", "bindAddress: 127.0.0.1", "heartbeatIntervalMs: " + heartbeatMs,
                "heartbeatTimeoutMs: " + timeoutMs, "scheduleIntervalMs: 100", "elastic: {growCheckIntervalMs: 500}", "dataDir: " + dir.resolve("state"),
                "secrets: {clusterSecretFile: " + dir.resolve("cluster.secret") + ", secretKeyFile: "
                        + dir.resolve("secret.key") + "}",
                "auth: {mode: token, tokenFile: " + dir.resolve("tokens.yaml") + ", joinTokenFile: " + dir.resolve("join") + "}",
                jdbcUrl == null ? "" : "database: {url: \"" + jdbcUrl + "\", user: " + PostgresServer.USER
                        + ", password: " + PostgresServer.PASSWORD + "}", ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        members[i] = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                "io.tessera.scheduler.cli.TesseraMain", "scheduler", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("member-" + i + ".log").toFile()).start();
    }

    /** Starts member 0, waits for it, starts {@code agents}, and waits until every node is READY. */
    void startWithAgents(AgentProcess... agents) throws IOException {
        start(0);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> up(0));
        for (AgentProcess a : agents) {
            a.start();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.stream(agents)
                .allMatch(a -> "READY".equals(nodeState(0, a.node()))));
    }

    /** SIGKILL: no graceful leave, no final writes. */
    void kill(int i) throws InterruptedException {
        members[i].destroyForcibly();
        members[i].waitFor();
    }

    boolean up(int i) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url(i) + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    String url(int i) {
        return "http://127.0.0.1:" + httpPorts[i];
    }

    /** All members' URLs, comma-separated, for agents. */
    String urls() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(url(i));
        }
        return String.join(",", out);
    }

    /** Sends as admin; status and JSON body, or status 0 when the member does not answer. */
    Answer send(int i, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(i) + path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + TestCluster.ADMIN)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/yaml");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isEmpty() ? null : Documents.parseJson(r.body().getBytes()));
        } catch (Exception e) {
            return new Answer(0, null);
        }
    }

    record Answer(int status, JsonNode json) {
    }

    /** Member {@code i}'s process. */
    Process process(int i) {
        return members[i];
    }

    /** The member's log so far. */
    String log(int i) throws IOException {
        return Files.readString(dir.resolve("member-" + i + ".log"));
    }

    /** Submits a job as admin through member {@code i} and returns its id. */
    String submit(int i, String yaml) {
        Answer a = send(i, "POST", "/v1/jobs", yaml);
        if (a.status() != 201) {
            throw new AssertionError("submit answered " + a.status() + ": " + a.json());
        }
        return a.json().get("id").asText();
    }

    /** The job's view from member {@code i}, or a missing node (every {@code path} empty) when it does not answer. */
    JsonNode job(int i, String id) {
        Answer a = send(i, "GET", "/v1/jobs/" + id, null);
        return a.status() == 200 ? a.json() : MissingNode.getInstance();
    }

    /** The learned speed factors (measured over the catalog's estimate) of job class {@code key}, per chip slot, as member {@code i} has them. */
    Map<String, Double> learnedFactors(int i, String key) {
        Map<String, Double> out = new TreeMap<>();
        Answer a = send(i, "GET", "/v1/profiles", null);
        if (a.status() == 200) {
            for (JsonNode p : a.json().path("profiles")) {
                if (p.path("key").asText().equals(key)) {
                    p.path("estimates").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("factor").asDouble()));
                }
            }
        }
        return out;
    }

    /** The node's state as member {@code i} sees it ("absent" when unknown, "down" when the member does not answer). */
    String nodeState(int i, String node) {
        Answer a = send(i, "GET", "/v1/nodes", null);
        if (a.status() != 200) {
            return "down";
        }
        for (JsonNode n : a.json().get("nodes")) {
            if (n.get("name").asText().equals(node)) {
                return n.get("state").asText();
            }
        }
        return "absent";
    }

    @Override
    public void close() {
        for (Process p : members) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
