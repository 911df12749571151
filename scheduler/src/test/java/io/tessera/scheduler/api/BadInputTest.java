package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed submissions against a live scheduler: each gets a 4xx problem+json naming the problem,
 * never a 5xx; jobs accepted before are kept and the server keeps serving.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static String accepted;
    private static final String GOOD = "name: ok\ncommand: [w]\nshards: 2\nflopsPerSample: 1e12\n"
            + "memoryPerShardGiB: 4\nglobalBatch: 8\n";

    @BeforeAll
    static void start() {
        cluster = TestCluster.start(dir);
        accepted = cluster.submit(GOOD);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Stream<Arguments> malformed() {
        byte[] huge = new byte[10 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'a');
        byte[] badUtf8 = "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        return Stream.of(
                bad("missing everything", "{}", "application/json", 400, "name"),
                bad("missing command", GOOD.replace("command: [w]\n", ""), "application/yaml", 400, "command"),
                bad("negative shards", GOOD.replace("shards: 2", "shards: -3"), "application/yaml", 400, "shards"),
                bad("zero devices", GOOD + "devicesPerShard: 0\n", "application/yaml", 400, "devicesPerShard"),
                bad("unknown chip type", GOOD + "chipTypes: [nvidia-b999]\n", "application/yaml", 400, "chipTypes[0]"),
                bad("shards as a word", GOOD.replace("shards: 2", "shards: two"), "application/yaml", 400, "shards"),
                bad("command as a string", GOOD.replace("command: [w]", "command: w"), "application/yaml", 400, "command"),
                bad("batch as a float", GOOD.replace("globalBatch: 8", "globalBatch: 8.5"), "application/yaml", 400, "globalBatch"),
                bad("min above max", GOOD.replace("shards: 2", "shards: {min: 5, max: 2}"), "application/yaml", 400, "shards"),
                bad("unknown precision", GOOD + "precisions: [fp4]\n", "application/yaml", 400, "precisions[0]"),
                bad("vendor share above one", GOOD + "vendorPolicy: {maxVendorShare: 3}\n", "application/yaml", 400,
                        "vendorPolicy.maxVendorShare"),
                bad("reserved env", GOOD + "env: {WORLD_SIZE: '9'}\n", "application/yaml", 400, "env.WORLD_SIZE"),
                bad("path traversal", GOOD + "checkpointDir: /data/../../etc\n", "application/yaml", 400, "checkpointDir"),
                bad("unknown field", GOOD + "gpus: 8\n", "application/yaml", 400, "gpus"),
                bad("not JSON", "{\"name\": \"x\",,,", "application/json", 400, "JSON"),
                bad("neither JSON nor YAML", "\t: - [ }", "text/plain", 400, "YAML"),
                bad("a JSON list", "[1, 2, 3]", "application/json", 400, "mapping"),
                bad("empty body", "", "application/json", 400, "empty"),
                bad("huge integer", GOOD.replace("shards: 2", "shards: 99999999999999999999999"), "application/yaml",
                        400, "shards"),
                bad("deep nesting", "{\"a\":".repeat(100) + "1" + "}".repeat(100), "application/json", 400, "$"),
                Arguments.of("invalid UTF-8", badUtf8, "application/yaml", 400, "UTF-8"),
                Arguments.of("a 10 MB body", huge, "application/yaml", 413, "limit"));
    }

    private static Arguments bad(String name, String body, String type, int status, String mentions) {
        return Arguments.of(name, body.getBytes(StandardCharsets.UTF_8), type, status, mentions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void eachMalformedSubmissionGetsAClear4xx(String name, byte[] body, String type, int status, String mentions) {
        Response r = cluster.send("POST", "/v1/jobs", body, type);
        assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(status);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.body()).contains(mentions);
    }

    @Test
    void afterAllThatTheServerServesAndKeepsWhatItAccepted() {
        malformed().forEach(a -> cluster.send("POST", "/v1/jobs", (byte[]) a.get()[1], (String) a.get()[2]));
        assertThat(cluster.send("GET", "/healthz", null, null).status()).isEqualTo(200);
        assertThat(cluster.job(accepted).get("name").asText()).isEqualTo("ok");
        List<String> ids = cluster.send("GET", "/v1/jobs", null, null).json().get("jobs").findValuesAsText("id");
        assertThat(ids).containsExactly(accepted);
        assertThat(cluster.submit(GOOD)).isNotEqualTo(accepted);
    }

    @Test
    void unknownJobsAndRoutesAre404AndBadPollVersionsAre400() {
        assertThat(cluster.send("GET", "/v1/jobs/job-nope", null, null).status()).isEqualTo(404);
        assertThat(cluster.send("DELETE", "/v1/jobs/job-nope", null, null).status()).isEqualTo(404);
        Response r = cluster.send("GET", "/v1/nothing", null, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        String credential = cluster.sendAs(null, "POST", "/v1/agents/enroll", ("{\"node\":\"n1\",\"joinToken\":\""
                + TestCluster.JOIN + "\"}").getBytes(), "application/json").json().get("credential").asText();
        assertThat(cluster.sendAs(credential, "GET", "/v1/agents/n1/assignments?version=abc", null, null).status())
                .isEqualTo(400);
        // An admin is not an agent: the agent endpoints refuse it.
        assertThat(cluster.send("POST", "/v1/agents/register", "{\"node\":\"../x\"}".getBytes(), "application/json")
                .status()).isEqualTo(403);
        assertThat(cluster.send("POST", "/v1/agents/enroll", "{\"node\":\"../x\", \"joinToken\": \"j\"}".getBytes(),
                "application/json").status()).isEqualTo(400);
    }
}
