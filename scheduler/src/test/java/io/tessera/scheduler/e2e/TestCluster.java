package io.tessera.scheduler.e2e;

import io.tessera.config.AuthConfig;
import io.tessera.config.ElasticConfig;
import java.nio.file.Files;
import java.io.IOException;
import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.security.Tokens;
import java.io.UncheckedIOException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.Agent;
import io.tessera.config.AgentConfig;
import io.tessera.config.ContainerRuntimeConfig;
import io.tessera.config.ContainersConfig;
import io.tessera.config.WorkersConfig;
import io.tessera.config.Documents;
import io.tessera.config.QueueSpec;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.SchedulerNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real scheduler member (its own Hazelcast cluster name, API on a free loopback port) and real
 * in-process agents that run real worker processes. Heartbeats are fast so tests finish quickly.
 */
public final class TestCluster implements AutoCloseable {
    public static final Path EXAMPLE_WORKER = Path.of("../examples/worker/ExampleWorker.java").toAbsolutePath().normalize();
    public static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private SchedulerNode scheduler;
    private final Path dir;
    private final List<Agent> agents = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Tokens of the test users: alice and bob are users, admin is an admin. */
    public static final String ALICE = "tsk_alice-test-token";
    public static final String BOB = "tsk_bob-test-token";
    public static final String ADMIN = "tsk_admin-test-token";
    public static final String JOIN = "tsj_join-test-token";
    private final AuthConfig auth;
    public final String joinToken = JOIN;
    /** Test clusters restart failed gangs after 200 ms, doubling to 1 s, unless a test sets its own limits. */
    public static final LimitsConfig.RestartBackoff RESTART_BACKOFF =
            new LimitsConfig.RestartBackoff(200L, 1000L);
    public static final LimitsConfig FAST_RESTARTS = new LimitsConfig(null, null, null,
            null, null, null, null, null, null, null, null, null, null, RESTART_BACKOFF, null);

    private LimitsConfig limits;
    private List<QueueSpec> queues = List.of();
    private ContainersConfig containers;
    private WorkersConfig workers;

    private TestCluster(SchedulerNode scheduler, Path dir, AuthConfig auth) {
        this.scheduler = scheduler;
        this.dir = dir;
        this.auth = auth;
    }

    public static TestCluster start(Path dir) {
        return start(dir, writeAuth(dir));
    }

    /** With other authentication settings (JWT mode, say). */
    public static TestCluster start(Path dir, AuthConfig auth) {
        return new TestCluster(SchedulerNode.start(config(0, auth, dir, null, List.of()), Clock.systemUTC()), dir, auth);
    }

    /** With queues defined in the scheduler config. */
    public static TestCluster withQueues(Path dir, List<QueueSpec> queues) {
        AuthConfig auth = writeAuth(dir);
        TestCluster c = new TestCluster(SchedulerNode.start(config(0, auth, dir, null, queues), Clock.systemUTC()), dir, auth);
        c.queues = queues;
        return c;
    }

    /** With other limits. */
    public static TestCluster start(Path dir, LimitsConfig limits) {
        AuthConfig auth = writeAuth(dir);
        TestCluster c = new TestCluster(SchedulerNode.start(config(0, auth, dir, limits, List.of()), Clock.systemUTC()), dir, auth);
        c.limits = limits;
        return c;
    }

    /** With an admin's allow-list of container images ({@code containers.allowedImages}). */
    public static TestCluster allowingImages(Path dir, List<String> patterns) {
        AuthConfig auth = writeAuth(dir);
        ContainersConfig containers = new ContainersConfig(patterns);
        LimitsConfig settled = new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                RESTART_BACKOFF, 0L); // a job no node could hold is refused at once
        TestCluster c = new TestCluster(SchedulerNode.start(config(0, auth, dir, settled, List.of(), containers),
                Clock.systemUTC()), dir, auth);
        c.containers = containers;
        c.limits = settled;
        return c;
    }

    /** Token auth as {@link #start(Path)} has it, with new nodes held for an admin's acceptance. */
    public static AuthConfig holdingNewNodes(Path dir) {
        AuthConfig a = writeAuth(dir);
        return a.holdingNewNodes(true);
    }

    /** Token auth as {@link #start(Path)} has it (alice, bob, admin and the join token), written to {@code dir}. */
    public static AuthConfig tokenAuth(Path dir) {
        return writeAuth(dir);
    }

    private static AuthConfig writeAuth(Path dir) {
        try {
            Path tokens = dir.resolve("tokens.yaml");
            Files.writeString(tokens, "tokens:\n"
                    + "  - {name: alice, role: user, sha256: " + Tokens.sha256(ALICE) + "}\n"
                    + "  - {name: bob, role: user, sha256: " + Tokens.sha256(BOB) + "}\n"
                    + "  - {name: admin, role: admin, sha256: " + Tokens.sha256(ADMIN) + "}\n");
            Path join = dir.resolve("join-tokens");
            Files.writeString(join, Tokens.sha256(JOIN) + "\n");
            return new AuthConfig("token", tokens.toString(), join.toString(), null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** State is written through to a real H2 database in the test's directory. */
    private static SchedulerConfig config(int port, AuthConfig auth, Path dir,
                                          LimitsConfig limits, List<QueueSpec> queues) {
        return config(port, auth, dir, limits, queues, null);
    }

    private static SchedulerConfig config(int port, AuthConfig auth, Path dir, LimitsConfig limits,
                                          List<QueueSpec> queues, ContainersConfig containers) {
        return config(port, auth, dir, limits, queues, containers, null);
    }

    private static SchedulerConfig config(int port, AuthConfig auth, Path dir, LimitsConfig limits,
                                          List<QueueSpec> queues, ContainersConfig containers, WorkersConfig workers) {
        return new SchedulerConfig("127.0.0.1", port, "test-" + UUID.randomUUID(), null, null, null,
                200L, 2000L, 50L, 2000L, null, null, null, null, null, 500L, auth, null, null,
                dir.resolve("state").toString(), null, new ElasticConfig(0.1, 500L),
                limits != null ? limits : FAST_RESTARTS, null, queues, containers, null, workers, null);
    }

    /** With the scheduler allocating jobs' uids from {@code range} ({@code workers.jobUids}). */
    public static TestCluster withJobUids(Path dir, String range) {
        AuthConfig auth = writeAuth(dir);
        WorkersConfig workers = new WorkersConfig(range);
        TestCluster c = new TestCluster(SchedulerNode.start(config(0, auth, dir, null, List.of(), null, workers),
                Clock.systemUTC()), dir, auth);
        c.workers = workers;
        return c;
    }

    /** Crashes the scheduler (no graceful shutdown) and starts a new member on the same port and database. */
    public void restartScheduler() {
        int port = scheduler.port();
        scheduler.crash();
        scheduler = SchedulerNode.start(config(port, auth, dir, limits, queues, containers, workers), Clock.systemUTC());
    }

    public Agent agent(String node, String chip, int devices) {
        return agent(node, AgentConfig.DeviceSource.simulated(chip, devices));
    }

    /** One node of 8 devices from each of three vendors (ascend-a, h20-a, asic-a), registered before it returns. */
    public void threeVendorNodes() {
        agent("ascend-a", "ascend-910b", 8);
        agent("h20-a", "nvidia-h20", 8);
        agent("asic-a", "acme-tpx1", 8);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> nodes().size() == 3);
    }

    /** An agent whose devices come from {@code source} (a real detector against a fake tool, say). */
    public Agent agent(String node, AgentConfig.DeviceSource source) {
        return agent(node, source, null);
    }

    /** An agent whose devices come from {@code source}, running shards with an image as {@code containers} says. */
    public Agent agent(String node, AgentConfig.DeviceSource source, ContainerRuntimeConfig containers) {
        AgentConfig cfg = new AgentConfig(url(), node, "127.0.0.1", Map.of("zone", "test"),
                List.of(source), dir.resolve(node).toString(), 200L, null, 0, "127.0.0.1", joinToken,
                null, System.getProperty("user.name"), null, null, null, null, containers);
        Agent agent = Agent.start(cfg);
        agents.add(agent);
        return agent;
    }

    /** The test's directory, where the state and the agents' work directories live. */
    public Path dir() {
        return dir;
    }

    public String url() {
        return "http://127.0.0.1:" + scheduler.port();
    }

    public Response send(String method, String path, byte[] body, String contentType) {
        return sendAs(ADMIN, method, path, body, contentType);
    }

    /** Sends with {@code token} as the bearer token (null sends none). */
    public Response sendAs(String token, String method, String path, byte[] body, String contentType) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        }
    }

    public String submit(String yaml) {
        return submitAs(ADMIN, yaml);
    }

    public String submitAs(String token, String yaml) {
        Response r = sendAs(token, "POST", "/v1/jobs", yaml.getBytes(), "application/yaml");
        if (r.status() != 201) {
            throw new AssertionError("submit answered " + r.status() + ": " + r.body());
        }
        return r.json().get("id").asText();
    }

    /** The status a submission of {@code yaml} (as admin) is answered with. */
    public int submitStatus(String yaml) {
        return send("POST", "/v1/jobs", yaml.getBytes(), "application/yaml").status();
    }

    /** Every value in the scheduler's job and assignment maps, as stored in Hazelcast. */
    public String hazelcastValues() {
        StringBuilder out = new StringBuilder();
        for (String map : List.of("tessera.jobs", "tessera.assignments")) {
            scheduler.hazelcast().<String, String>getMap(map).values().forEach(v -> out.append(v).append('\n'));
        }
        return out.toString();
    }

    /** A node's record read straight from the state store, not through the API. */
    public JsonNode storedNode(String name) {
        return Documents.parseJson(scheduler.hazelcast().<String, String>getMap("tessera.nodes").get(name).getBytes());
    }

    public JsonNode job(String id) {
        return send("GET", "/v1/jobs/" + id, null, null).json();
    }

    public JsonNode nodes() {
        return send("GET", "/v1/nodes", null, null).json().get("nodes");
    }

    /** The example worker as a job command, for YAML. */
    public static String workerCommand() {
        return "command: [\"" + JAVA + "\", \"" + EXAMPLE_WORKER + "\"]\n";
    }

    @Override
    public void close() {
        agents.forEach(Agent::close);
        scheduler.close();
    }

    /** An HTTP answer. */
    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            return Documents.parseJson(body.getBytes());
        }
    }
}
