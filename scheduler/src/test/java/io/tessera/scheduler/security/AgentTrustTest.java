package io.tessera.scheduler.security;

import io.tessera.agent.Agent;
import io.tessera.config.AgentConfig;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.nio.file.attribute.PosixFilePermissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.scheduler.security.Tokens;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent is trusted only for its own node: it cannot report on shards its node does not run,
 * take over another node's identity with the join token, or offer capacity it does not have.
 */
class AgentTrustTest {
    private static final String JOB = "name: alices\ncommand: [sleep, '300']\nshards: 1\ndevicesPerShard: 2\n"
            + "flopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\nchipTypes: [nvidia-h20]\nrestartLimit: 3\n";
    @TempDir
    Path dir;

    static String enroll(TestCluster c, String node, String join) {
        Response r = enrollAs(c, null, node, join);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("credential").asText();
    }

    static Response enrollAs(TestCluster c, String bearer, String node, String join) {
        return c.sendAs(bearer, "POST", "/v1/agents/enroll", ("{\"node\":\"" + node + "\",\"joinToken\":\"" + join + "\"}")
                .getBytes(), "application/json");
    }

    static String device(int index, String chip, double memory) {
        return "{\"index\":" + index + ",\"uuid\":\"u-" + index + "\",\"chipType\":\"" + chip + "\",\"rawName\":\"x\","
                + "\"memoryGiB\":" + memory + ",\"healthy\":true}";
    }

    static String devices(int n, String chip, double memory) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(device(i, chip, memory));
        }
        return "[" + String.join(",", out) + "]";
    }

    static Response register(TestCluster c, String credential, String node, String address, String devices) {
        return c.sendAs(credential, "POST", "/v1/agents/register", ("{\"node\":\"" + node + "\",\"address\":\"" + address
                + "\",\"labels\":{},\"devices\":" + devices + ",\"shards\":[]}").getBytes(), "application/json");
    }

    @Test
    void reportsAboutShardsAnotherNodeRunsAreIgnored() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-a", "nvidia-h20", 2);
            String id = c.submitAs(TestCluster.ALICE, JOB);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).get("state").asText().equals("RUNNING"));
            String mallory = enroll(c, "mallory", TestCluster.JOIN);
            assertThat(register(c, mallory, "mallory", "127.0.0.1", devices(1, "ascend-910b", 64)).status()).isEqualTo(200);
            for (String forged : List.of(
                    "{\"jobId\":\"" + id + "\",\"shard\":0,\"attempt\":1,\"phase\":\"EXITED\",\"exitCode\":0}",
                    "{\"jobId\":\"" + id + "\",\"shard\":0,\"attempt\":1,\"phase\":\"EXITED\",\"exitCode\":1}",
                    "{\"jobId\":\"" + id + "\",\"shard\":0,\"attempt\":2147483647,\"phase\":\"RUNNING\"}")) {
                Response r = c.sendAs(mallory, "POST", "/v1/agents/mallory/heartbeat", ("{\"node\":\"mallory\",\"devices\":"
                        + devices(1, "ascend-910b", 64) + ",\"shards\":[" + forged + "]}").getBytes(), "application/json");
                assertThat(r.status()).isEqualTo(200);
            }
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> {
                JsonNode job = c.job(id);
                return job.get("state").asText().equals("RUNNING") && job.get("attempt").asInt() == 1
                        && job.get("restarts").asInt() == 0;
            });
        }
    }

    @Test
    void theJoinTokenIsNoNodesIdentity() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            String first = enroll(c, "n1", TestCluster.JOIN);
            Response hijack = enrollAs(c, null, "n1", TestCluster.JOIN);
            assertThat(hijack.status()).isEqualTo(409);
            assertThat(hijack.body()).contains("already enrolled");
            assertThat(register(c, first, "n1", "127.0.0.1", devices(1, "nvidia-h20", 96)).status()).isEqualTo(200);

            Response renewed = enrollAs(c, first, "n1", TestCluster.JOIN);
            assertThat(renewed.status()).as("the node itself may renew").isEqualTo(200);
            assertThat(register(c, first, "n1", "127.0.0.1", devices(1, "nvidia-h20", 96)).status()).isEqualTo(401);

            Response readmit = c.send("POST", "/v1/agents/n1/readmit", null, null);
            assertThat(readmit.status()).isEqualTo(200);
            assertThat(enrollAs(c, null, "n1", TestCluster.JOIN).status())
                    .as("after a readmit the fleet token is still no node's identity").isEqualTo(403);
            assertThat(enrollAs(c, null, "n1", readmit.json().get("joinToken").asText()).status())
                    .as("the readmit's own token").isEqualTo(200);
            assertThat(enrollAs(c, null, "n1", readmit.json().get("joinToken").asText()).status())
                    .as("once").isEqualTo(409);

            JsonNode issued = c.send("POST", "/v1/agents/join-tokens", "{\"node\":\"n2\",\"uses\":1}".getBytes(),
                    "application/json").json();
            String token = issued.get("token").asText();
            assertThat(enrollAs(c, null, "n3", token).status()).as("bound to n2").isEqualTo(401);
            assertThat(enrollAs(c, null, "n2", token).status()).isEqualTo(200);
            assertThat(c.send("DELETE", "/v1/agents/n2/credential", null, null).status()).isEqualTo(200);
            assertThat(c.send("POST", "/v1/agents/n2/readmit", null, null).status()).isEqualTo(200);
            assertThat(enrollAs(c, null, "n2", token).status()).as("only the readmit's token").isEqualTo(403);
            assertThat(c.send("POST", "/v1/agents/never-enrolled/readmit", null, null).status()).isEqualTo(404);
            JsonNode again = c.send("POST", "/v1/agents/join-tokens", "{\"uses\":5}".getBytes(), "application/json").json();
            assertThat(c.send("DELETE", "/v1/agents/join-tokens/" + again.get("id").asText(), null, null).status()).isEqualTo(200);
            assertThat(enrollAs(c, null, "n4", again.get("token").asText()).status()).as("revoked").isEqualTo(401);
        }
    }

    @Test
    void anAgentEmptiesItsJoinTokenFileOnceItHoldsItsCredential() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            Path token = Files.writeString(dir.resolve("agent-join"), TestCluster.JOIN + "\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            AgentConfig cfg = new AgentConfig(c.url(), "tf-1", "127.0.0.1",
                    Map.of(), List.of(AgentConfig.DeviceSource.simulated("nvidia-h20", 1)),
                    dir.resolve("tf-1").toString(), 200L, null, -1, null, null, null, System.getProperty("user.name"), null,
                    null, token.toString(), null, null);
            try (Agent agent = Agent.start(cfg)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().toString().contains("tf-1"));
                assertThat(Files.readString(token)).isEmpty();
                assertThat(Files.readString(dir.resolve("tf-1/credential"))).startsWith("tsa_tf-1.");
            }
        }
    }

    @Test
    void theJoinTokenFileRotatesWithoutARestart() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            assertThat(enrollAs(c, null, "r1", TestCluster.JOIN).status()).isEqualTo(200);
            String next = "tsj_rotated-" + System.nanoTime();
            Path file = dir.resolve("join-tokens");
            Files.writeString(file, Tokens.sha256(next) + "\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            assertThat(enrollAs(c, null, "r2", TestCluster.JOIN).status()).isEqualTo(401);
            assertThat(enrollAs(c, null, "r3", next).status()).isEqualTo(200);
        }
    }

    @Test
    void anInflatedInventoryIsRefusedAndGrowthWaitsForAnAdmin() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            String cred = enroll(c, "big", TestCluster.JOIN);
            assertThat(register(c, cred, "big", "127.0.0.1", devices(1024, "nvidia-h100", 80)).body()).contains("\"devices\"");
            String dup = "[" + device(0, "nvidia-h20", 96) + "," + device(0, "nvidia-h20", 96) + "]";
            assertThat(register(c, cred, "big", "127.0.0.1", dup).body()).contains("devices[1].index");
            Response huge = register(c, cred, "big", "127.0.0.1", devices(1, "nvidia-h20", 1e300));
            assertThat(huge.status()).isEqualTo(400);
            assertThat(huge.body()).contains("devices[0].memoryGiB");
            assertThat(register(c, cred, "big", "127.0.0.1", devices(1, "no-such-chip", 10)).body())
                    .contains("devices[0].chipType");
            for (String address : List.of("10.0.0.1; rm -rf /", "a\\nb", "x".repeat(300), "")) {
                Response r = register(c, cred, "big", address, devices(1, "nvidia-h20", 96));
                assertThat(r.status()).as(address).isEqualTo(400);
                assertThat(r.body()).contains("\"address\"");
            }

            assertThat(register(c, cred, "big", "127.0.0.1", devices(4, "nvidia-h20", 96)).status()).isEqualTo(200);
            assertThat(register(c, cred, "big", "127.0.0.1", devices(8, "nvidia-h20", 96)).status()).isEqualTo(200);
            JsonNode counts = node(c, "big").get("deviceCounts");
            assertThat(counts.get("free").asInt()).isEqualTo(4);
            assertThat(counts.get("unhealthy").asInt()).isEqualTo(4);
            assertThat(node(c, "big").toString()).contains("an admin must accept it");
            assertThat(c.send("POST", "/v1/nodes/big/accept", null, null).status()).isEqualTo(200);
            assertThat(register(c, cred, "big", "127.0.0.1", devices(8, "nvidia-h20", 96)).status()).isEqualTo(200);
            assertThat(node(c, "big").get("deviceCounts").get("free").asInt()).isEqualTo(8);
        }
    }

    private static JsonNode node(TestCluster c, String name) {
        for (JsonNode n : c.nodes()) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name);
    }
}
