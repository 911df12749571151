package io.tessera.scheduler.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.e2e.TestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint x every caller: user A, user B, admin, agent X, agent Y, and no token. */
class RoleMatrixTest {
    private static final String JOB = "name: m\ncommand: [sleep, '300']\nshards: 1\nflopsPerSample: 1e12\n"
            + "memoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    private static String register(String node) {
        return "{\"node\":\"" + node + "\",\"address\":\"127.0.0.1\",\"devices\":[]}";
    }

    private static String heartbeat(String node) {
        return "{\"node\":\"" + node + "\",\"devices\":[],\"shards\":[]}";
    }

    @Test
    void everyEndpointForEveryRole() {
        try (TestCluster c = TestCluster.start(dir)) {
            String agentX = enroll(c, "node-x");
            String agentY = enroll(c, "node-y");
            String aliceJob = c.submitAs(TestCluster.ALICE, JOB);
            assertThat(c.sendAs(agentX, "POST", "/v1/agents/register", register("node-x").getBytes(), "application/json")
                    .status()).isEqualTo(200);
            Map<String, String> callers = new LinkedHashMap<>();
            callers.put("alice", TestCluster.ALICE);
            callers.put("bob", TestCluster.BOB);
            callers.put("admin", TestCluster.ADMIN);
            callers.put("agentX", agentX);
            callers.put("agentY", agentY);
            callers.put("none", null);
            // endpoint -> expected status for alice, bob, admin, agentX, agentY, none
            List<Object[]> rows = List.of(
                    row("POST", "/v1/jobs", JOB, 201, 201, 201, 403, 403, 401),
                    row("GET", "/v1/jobs", null, 200, 200, 200, 403, 403, 401),
                    row("GET", "/v1/jobs/" + aliceJob, null, 200, 404, 200, 403, 403, 401),
                    row("POST", "/v1/plan", JOB, 200, 200, 200, 403, 403, 401),
                    row("GET", "/v1/nodes", null, 200, 200, 200, 403, 403, 401),
                    row("POST", "/v1/nodes/node-x/drain", null, 403, 403, 200, 403, 403, 401),
                    row("POST", "/v1/nodes/node-x/undrain", null, 403, 403, 200, 403, 403, 401),
                    row("POST", "/v1/agents/register", register("node-x"), 403, 403, 403, 200, 403, 401),
                    row("POST", "/v1/agents/node-x/heartbeat", heartbeat("node-x"), 403, 403, 403, 200, 403, 401),
                    row("GET", "/v1/agents/node-x/assignments?version=0", null, 403, 403, 403, 200, 403, 401),
                    row("POST", "/v1/agents/node-y/readmit", null, 403, 403, 200, 403, 403, 401),
                    row("DELETE", "/v1/jobs/" + aliceJob, null, 200, 404, 200, 403, 403, 401),
                    row("GET", "/metrics", null, 200, 200, 200, 200, 200, 200),
                    row("GET", "/healthz", null, 200, 200, 200, 200, 200, 200));
            List<String> wrong = new ArrayList<>();
            for (Object[] r : rows) {
                int i = 0;
                for (Map.Entry<String, String> caller : callers.entrySet()) {
                    int expected = (int) r[3 + i++];
                    String path = (String) r[1];
                    var resp = c.sendAs(caller.getValue(), (String) r[0], path,
                            r[2] == null ? null : ((String) r[2]).getBytes(),
                            r[2] == null ? null : r[2].toString().startsWith("{") ? "application/json" : "application/yaml");
                    if (resp.status() != expected) {
                        wrong.add(r[0] + " " + path + " as " + caller.getKey() + ": expected " + expected + ", got "
                                + resp.status() + " " + resp.body());
                    }
                    if (expected == 401 || expected == 403) {
                        assertThat(resp.contentType()).isEqualTo("application/problem+json");
                    }
                }
            }
            assertThat(wrong).isEmpty();
            // Revocation is admin-only, and it cuts the agent off at once.
            assertThat(c.sendAs(TestCluster.ALICE, "DELETE", "/v1/agents/node-x/credential", null, null).status()).isEqualTo(403);
            assertThat(c.sendAs(agentX, "DELETE", "/v1/agents/node-x/credential", null, null).status()).isEqualTo(403);
            assertThat(c.sendAs(TestCluster.ADMIN, "DELETE", "/v1/agents/node-x/credential", null, null).status()).isEqualTo(200);
            assertThat(c.sendAs(agentX, "POST", "/v1/agents/node-x/heartbeat", heartbeat("node-x").getBytes(),
                    "application/json").status()).isEqualTo(401);
            assertThat(enrollStatus(c, "node-x", TestCluster.JOIN)).isEqualTo(403);
            var readmit = c.sendAs(TestCluster.ADMIN, "POST", "/v1/agents/node-x/readmit", null, null);
            assertThat(readmit.status()).isEqualTo(200);
            assertThat(enrollStatus(c, "node-x", TestCluster.JOIN)).as("only the readmit's token").isEqualTo(403);
            assertThat(enrollStatus(c, "node-x", readmit.json().get("joinToken").asText())).isEqualTo(200);
            assertThat(enrollStatus(c, "node-z", "tsj_wrong")).isEqualTo(401);
        }
    }

    private static Object[] row(String method, String path, String body, int... expected) {
        Object[] r = new Object[3 + expected.length];
        r[0] = method;
        r[1] = path;
        r[2] = body;
        for (int i = 0; i < expected.length; i++) {
            r[3 + i] = expected[i];
        }
        return r;
    }

    static String enroll(TestCluster c, String node) {
        var r = c.sendAs(null, "POST", "/v1/agents/enroll",
                ("{\"node\":\"" + node + "\",\"joinToken\":\"" + TestCluster.JOIN + "\"}").getBytes(), "application/json");
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("credential").asText();
    }

    private static int enrollStatus(TestCluster c, String node, String join) {
        return c.sendAs(null, "POST", "/v1/agents/enroll",
                ("{\"node\":\"" + node + "\",\"joinToken\":\"" + join + "\"}").getBytes(), "application/json").status();
    }
}
