package io.tessera.scheduler.api;

import java.util.function.BiConsumer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI 3.1 contract served at {@code /v1/openapi.json} is a valid contract, and real answers
 * of every operation it lists, successes and 4xx problems alike, validate against it (with
 * Vert.x's OpenAPI validator). Every operation is exercised.
 */
class OpenApiConformanceTest {
    @TempDir
    Path dir;
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private record Call(String operation, Response response) {
    }

    @Test
    void everyOperationsRealAnswersMatchTheContract() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            Response served = c.sendAs(null, "GET", "/v1/openapi.json", null, null);
            assertThat(served.status()).isEqualTo(200);
            JsonObject doc = new JsonObject(served.body());
            assertThat(doc.getString("openapi")).isEqualTo("3.1.0");
            OpenAPIContract contract = OpenAPIContract.from(vertx, withoutYamlBodies(doc.copy())).toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            ResponseValidator validator = ResponseValidator.create(vertx, contract);

            List<Call> calls = exercise(c);
            List<String> mismatches = new ArrayList<>();

            for (Call call : calls) {
                Response r = call.response();
                String type = asProblem(r.contentType().split(";")[0].strip(), r.status(), mismatches, call.operation());
                ValidatableResponse v = type.isEmpty() ? ValidatableResponse.create(r.status())
                        : ValidatableResponse.create(r.status(), Map.of("Content-Type", type), Buffer.buffer(r.body()), type);
                if (type.equals("text/plain")) { // Vert.x cannot read text bodies back: the media type is checked here
                    if (!declares(doc, call.operation(), r.status(), "text/plain")) {
                        mismatches.add(call.operation() + " " + r.status() + ": text/plain is not in the contract");
                    }
                    continue;
                }
                try {
                    validator.validate(v, call.operation()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    mismatches.add(call.operation() + " " + r.status() + ": " + e.getMessage() + " | " + r.body());
                }
            }
            assertThat(mismatches).isEmpty();
            // the control: the validator does reject what the contract does not allow
            ValidatableResponse wrong = ValidatableResponse.create(200, Map.of("Content-Type", "application/json"),
                    Buffer.buffer("{\"id\": 5, \"state\": \"DREAMING\"}"), "application/json");
            assertThat(validator.validate(wrong, "getJob").toCompletionStage().toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(10));
            Set<String> listed = new TreeSet<>();
            doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).forEach(m -> {
                if (m.getValue() instanceof JsonObject op && op.containsKey("operationId")) {
                    listed.add(op.getString("operationId"));
                }
            }));
            Set<String> exercised = new TreeSet<>();
            calls.forEach(x -> exercised.add(x.operation()));
            assertThat(exercised).as("every operation of the contract is exercised").isEqualTo(listed);
            assertThat(calls.stream().filter(x -> x.response().status() >= 400).count()).as("4xx problems checked too")
                    .isGreaterThanOrEqualTo(10);
        }
    }

    /**
     * The contract less its {@code application/yaml} request bodies, which Vert.x's validator does
     * not know; only answers are validated here, so what a request may carry does not matter.
     */
    private static JsonObject withoutYamlBodies(JsonObject doc) {
        doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).forEach(m -> {
            if (m.getValue() instanceof JsonObject op && op.containsKey("requestBody")) {
                op.getJsonObject("requestBody").getJsonObject("content").remove("application/yaml");
            }
        }));
        // Nor does it know application/problem+json: its schema is checked as JSON, and the media
        // type itself by asProblem below.
        JsonObject problem = doc.getJsonObject("components").getJsonObject("responses").getJsonObject("Problem")
                .getJsonObject("content");
        problem.put("application/json", problem.remove("application/problem+json"));
        return doc;
    }

    /** Whether the contract gives {@code operation} an answer {@code status} of {@code mediaType}. */
    private static boolean declares(JsonObject doc, String operation, int status, String mediaType) {
        for (var p : doc.getJsonObject("paths")) {
            for (var m : (JsonObject) p.getValue()) {
                if (m.getValue() instanceof JsonObject op && operation.equals(op.getString("operationId"))) {
                    JsonObject answer = op.getJsonObject("responses").getJsonObject(Integer.toString(status));
                    return answer != null && answer.getJsonObject("content", new JsonObject()).containsKey(mediaType);
                }
            }
        }
        return false;
    }

    /** A problem's media type is what the contract says, {@code application/problem+json}; it is validated as JSON. */
    private static String asProblem(String type, int status, List<String> mismatches, String operation) {
        if (status >= 400 && !type.equals("application/problem+json")) {
            mismatches.add(operation + " " + status + ": a problem must be application/problem+json, was " + type);
        }
        return type.equals("application/problem+json") ? "application/json" : type;
    }

    /** One or more real calls of every operation: its usual answer, and its problems. */
    private static List<Call> exercise(TestCluster c) {
        List<Call> calls = new ArrayList<>();
        String admin = TestCluster.ADMIN;
        String alice = TestCluster.ALICE;
        BiConsumer<String, Response> add = (op, r) -> calls.add(new Call(op, r));
        add.accept("getOpenApi", c.sendAs(null, "GET", "/v1/openapi.json", null, null));
        add.accept("liveness", c.sendAs(null, "GET", "/healthz", null, null));
        add.accept("readiness", c.sendAs(null, "GET", "/readyz", null, null));
        add.accept("metrics", c.sendAs(null, "GET", "/metrics", null, null));
        c.agent("h20-a", "nvidia-h20", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 1);
        String spec = "{\"name\":\"oa\",\"command\":[\"sh\",\"-c\",\"echo TESSERA_PROGRESS step=1 total=2 loss=0.5; "
                + "sleep 1.5; exit 3\"],\"shards\":1,"
                + "\"flopsPerSample\":1e12,\"memoryPerShardGiB\":1,\"globalBatch\":1,\"restartLimit\":0}";
        Response created = c.sendAs(alice, "POST", "/v1/jobs", spec.getBytes(), "application/json");
        add.accept("submitJob", created);
        String id = created.json().get("id").asText();
        add.accept("submitJob", c.sendAs(alice, "POST", "/v1/jobs", "{\"name\":\"\"}".getBytes(), "application/json"));
        add.accept("submitJob", c.sendAs(null, "POST", "/v1/jobs", spec.getBytes(), "application/json"));
        add.accept("submitJob", c.sendAs(alice, "POST", "/v1/jobs", spec.replace("\"oa\"", "\"q\",\"queue\":\"nope\"")
                .getBytes(), "application/json"));
        await().atMost(Duration.ofSeconds(30)).until(() -> c.job(id).get("state").asText().equals("FAILED"));
        Response cluster = c.sendAs(admin, "GET", "/v1/cluster", null, null);
        assertThat(cluster.json().get("leader").get("self").asBoolean()).as(cluster.body()).isTrue();
        assertThat(cluster.json().get("epoch").asLong()).isPositive();
        add.accept("getCluster", cluster);
        add.accept("getCluster", c.sendAs(alice, "GET", "/v1/cluster", null, null));
        add.accept("getAuthSettings", c.sendAs(null, "GET", "/v1/auth", null, null));
        add.accept("whoami", c.sendAs(alice, "GET", "/v1/whoami", null, null));
        add.accept("whoami", c.sendAs("tsk_nobody", "GET", "/v1/whoami", null, null));
        add.accept("getAudit", c.send("GET", "/v1/audit?limit=5", null, null));
        add.accept("getAudit", c.send("GET", "/v1/audit?since=soon", null, null));
        add.accept("getAudit", c.sendAs(alice, "GET", "/v1/audit", null, null));
        add.accept("getJob", c.sendAs(alice, "GET", "/v1/jobs/" + id, null, null));
        add.accept("getJob", c.sendAs(TestCluster.BOB, "GET", "/v1/jobs/" + id, null, null));
        Response curve = c.sendAs(alice, "GET", "/v1/jobs/" + id + "/metrics", null, null);
        assertThat(curve.json().get("points").get(0).get("metrics").get("loss").asDouble()).as(curve.body()).isEqualTo(0.5);
        add.accept("getJobMetrics", curve);
        add.accept("getJobMetrics", c.sendAs(TestCluster.BOB, "GET", "/v1/jobs/" + id + "/metrics", null, null));
        add.accept("listJobs", c.sendAs(alice, "GET", "/v1/jobs?limit=5&state=FAILED", null, null));
        add.accept("listJobs", c.sendAs(alice, "GET", "/v1/jobs?limit=0", null, null));
        add.accept("getShardLog", c.sendAs(alice, "GET", "/v1/jobs/" + id + "/shards/0/log?tail=5", null, null));
        add.accept("getShardLog", c.sendAs(alice, "GET", "/v1/jobs/" + id + "/shards/0/log?attempt=9", null, null));
        add.accept("getShardLog", c.sendAs(alice, "GET", "/v1/jobs/" + id + "/shards/0/log?tail=x", null, null));
        add.accept("resubmitJob", c.sendAs(alice, "POST", "/v1/jobs/" + id + "/resubmit", null, null));
        add.accept("resubmitJob", c.sendAs(alice, "POST", "/v1/jobs/job-none/resubmit", null, null));
        add.accept("cancelJob", c.sendAs(alice, "DELETE", "/v1/jobs/" + id, null, null));
        add.accept("cancelJob", c.sendAs(alice, "DELETE", "/v1/jobs/job-none", null, null));
        add.accept("planJob", c.sendAs(alice, "POST", "/v1/plan", spec.getBytes(), "application/json"));
        add.accept("planJob", c.sendAs(alice, "POST", "/v1/plan", spec.replace("\"shards\":1", "\"shards\":9").getBytes(),
                "application/json"));
        add.accept("planJob", c.sendAs(alice, "POST", "/v1/plan", "[]".getBytes(), "application/json"));
        add.accept("getFleet", c.sendAs(alice, "GET", "/v1/fleet", null, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> c.sendAs(alice, "GET", "/v1/fleet/usage", null, null).json()
                .get("points").findValue("nvidia") != null); // the leader sampled the agent's devices
        Response usage = c.sendAs(alice, "GET", "/v1/fleet/usage", null, null);
        assertThat(usage.json().findValue("nvidia").get("healthy").asInt()).as(usage.body()).isEqualTo(2);
        add.accept("getFleetUsage", usage);
        add.accept("getFleetUsage", c.sendAs(null, "GET", "/v1/fleet/usage", null, null));
        add.accept("listNodes", c.sendAs(alice, "GET", "/v1/nodes", null, null));
        add.accept("drainNode", c.sendAs(admin, "POST", "/v1/nodes/h20-a/drain", null, null));
        add.accept("drainNode", c.sendAs(alice, "POST", "/v1/nodes/h20-a/drain", null, null));
        add.accept("undrainNode", c.sendAs(admin, "POST", "/v1/nodes/h20-a/undrain", null, null));
        add.accept("undrainNode", c.sendAs(admin, "POST", "/v1/nodes/nope/undrain", null, null));
        add.accept("acceptNodeInventory", c.sendAs(admin, "POST", "/v1/nodes/h20-a/accept", null, null));
        add.accept("listQueues", c.sendAs(alice, "GET", "/v1/queues", null, null));
        add.accept("putQueue", c.sendAs(admin, "PUT", "/v1/queues/research",
                "{\"name\":\"research\",\"weight\":2,\"quota\":{\"tflops\":500}}".getBytes(), "application/json"));
        add.accept("putQueue", c.sendAs(admin, "PUT", "/v1/queues/research", "{\"weight\":-1}".getBytes(), "application/json"));
        add.accept("putQueue", c.sendAs(alice, "PUT", "/v1/queues/research", "{}".getBytes(), "application/json"));
        add.accept("getQueue", c.sendAs(alice, "GET", "/v1/queues/research", null, null));
        add.accept("getQueue", c.sendAs(alice, "GET", "/v1/queues/nope", null, null));
        add.accept("deleteQueue", c.sendAs(admin, "DELETE", "/v1/queues/research", null, null));
        add.accept("deleteQueue", c.sendAs(admin, "DELETE", "/v1/queues/research", null, null));
        add.accept("listProfiles", c.sendAs(admin, "GET", "/v1/profiles", null, null));
        add.accept("listProfiles", c.sendAs(alice, "GET", "/v1/profiles", null, null));
        add.accept("deleteProfile", c.sendAs(admin, "DELETE", "/v1/profiles/nope", null, null));
        add.accept("deleteProfile", c.sendAs(alice, "DELETE", "/v1/profiles/nope", null, null));
        agentCalls(c, add);
        return calls;
    }

    private static void agentCalls(TestCluster c, BiConsumer<String, Response> add) {
        String admin = TestCluster.ADMIN;
        Response token = c.sendAs(admin, "POST", "/v1/agents/join-tokens", "{\"node\":\"node-z\",\"uses\":1}".getBytes(),
                "application/json");
        add.accept("issueJoinToken", token);
        add.accept("issueJoinToken", c.sendAs(admin, "POST", "/v1/agents/join-tokens", "{\"uses\":0}".getBytes(),
                "application/json"));
        Response enrolled = c.sendAs(null, "POST", "/v1/agents/enroll", ("{\"node\":\"node-z\",\"joinToken\":\""
                + token.json().get("token").asText() + "\"}").getBytes(), "application/json");
        add.accept("enrollAgent", enrolled);
        add.accept("enrollAgent", c.sendAs(null, "POST", "/v1/agents/enroll", "{\"node\":\"node-q\",\"joinToken\":\"tsj_no\"}"
                .getBytes(), "application/json"));
        String agent = enrolled.json().get("credential").asText();
        add.accept("registerAgent", c.sendAs(agent, "POST", "/v1/agents/register",
                "{\"node\":\"node-z\",\"address\":\"127.0.0.1\",\"devices\":[]}".getBytes(), "application/json"));
        add.accept("registerAgent", c.sendAs(TestCluster.ALICE, "POST", "/v1/agents/register",
                "{\"node\":\"node-z\",\"address\":\"127.0.0.1\",\"devices\":[]}".getBytes(), "application/json"));
        add.accept("heartbeat", c.sendAs(agent, "POST", "/v1/agents/node-z/heartbeat",
                "{\"node\":\"node-z\",\"devices\":[],\"shards\":[]}".getBytes(), "application/json"));
        add.accept("pollAssignments", c.sendAs(agent, "GET", "/v1/agents/node-z/assignments?version=-1", null, null));
        add.accept("revokeAgent", c.sendAs(admin, "DELETE", "/v1/agents/node-z/credential", null, null));
        add.accept("readmitAgent", c.sendAs(admin, "POST", "/v1/agents/node-z/readmit", null, null));
        add.accept("readmitAgent", c.sendAs(admin, "POST", "/v1/agents/no-such-node/readmit", null, null));
        add.accept("revokeJoinToken", c.sendAs(admin, "DELETE", "/v1/agents/join-tokens/" + token.json().get("id").asText(),
                null, null));
        add.accept("revokeJoinToken", c.sendAs(TestCluster.ALICE, "DELETE", "/v1/agents/join-tokens/x", null, null));
    }
}
