package io.tessera.scheduler.auth;

import java.util.Collections;
import io.tessera.config.LimitsConfig;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.scheduler.e2e.TestCluster;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated corpus of 600 malformed or hostile requests (seeded, so every run sends the same)
 * against a live scheduler: wrong types, huge numbers and strings, deep nesting, invalid UTF-8,
 * path traversal in checkpoint dirs and path parameters, and header abuse over raw sockets.
 * No answer may be a 5xx; jobs accepted before must still be there; the server must keep serving.
 */
class FuzzTest {
    private static final String VALID = "name: keep\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    private static final String[] FIELDS = {"name", "queue", "priority", "command", "args", "env", "secretEnv", "shards",
            "devicesPerShard", "model", "flopsPerSample", "memoryPerShardGiB", "globalBatch", "precisions", "vendorPolicy",
            "chipTypes", "checkpointDir", "restartLimit", "precisionPolicy", "efficiency", "shell", "activationGiBPerSample"};
    @TempDir
    Path dir;
    private final Random random = new Random(0xF0220);

    /** No rate limit here: every hostile request must reach the validation it probes. */
    private static final LimitsConfig UNLIMITED = new LimitsConfig(null, null, null, 1e6,
            1_000_000, null, null, null, null, null, null, null, null);

    @Test
    void sixHundredHostileRequestsGetNo5xx() throws Exception {
        try (TestCluster c = TestCluster.start(dir, UNLIMITED)) {
            List<String> accepted = List.of(c.submitAs(TestCluster.ALICE, VALID), c.submitAs(TestCluster.BOB, VALID),
                    c.submitAs(TestCluster.ADMIN, VALID));
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> fives = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                int status = send(c, i);
                statuses.merge(status, 1, Integer::sum);
                if (status >= 500) {
                    fives.add("#" + i + " -> " + status);
                }
            }
            System.out.println("fuzz statuses: " + statuses);
            assertThat(fives).isEmpty();
            assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(600);
            for (String id : accepted) {
                assertThat(c.sendAs(TestCluster.ADMIN, "GET", "/v1/jobs/" + id, null, null).status()).isEqualTo(200);
            }
            assertThat(c.sendAs(null, "GET", "/healthz", null, null).status()).isEqualTo(200);
            assertThat(c.submitAs(TestCluster.ALICE, VALID)).startsWith("job-");
        }
    }

    @Test
    void fourHundredHostileAgentRequestsGetA4xxAndNo5xx() throws Exception {
        try (TestCluster c = TestCluster.start(dir, UNLIMITED)) {
            String cred = c.sendAs(null, "POST", "/v1/agents/enroll", ("{\"node\":\"fz\",\"joinToken\":\"" + TestCluster.JOIN
                    + "\"}").getBytes(), "application/json").json().get("credential").asText();
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String[] req = agentRequest(i);
                int status = c.sendAs(i % 10 == 9 ? null : cred, "POST", req[0], req[1].getBytes(StandardCharsets.UTF_8),
                        "application/json").status();
                statuses.merge(status, 1, Integer::sum);
                if (status >= 500 || status < 400) {
                    wrong.add("#" + i + " " + req[0] + " " + req[1].substring(0, Math.min(120, req[1].length())) + " -> " + status);
                }
            }
            System.out.println("agent fuzz statuses: " + statuses);
            assertThat(wrong).isEmpty();
            String ok = "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[]}";
            assertThat(c.sendAs(cred, "POST", "/v1/agents/register", ok.getBytes(), "application/json").status()).isEqualTo(200);
            assertThat(c.sendAs(null, "GET", "/healthz", null, null).status()).isEqualTo(200);
        }
    }

    /** A hostile agent request: path and body. Every one of them is invalid. */
    private String[] agentRequest(int i) {
        String dev = "{\"index\":0,\"chipType\":\"nvidia-h20\",\"memoryGiB\":96,\"healthy\":true}";
        String[] bodies = {
            "null", "[]", "\"x\"", "42", "{}", "",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1; rm -rf /\",\"devices\":[]}",
            "{\"node\":\"fz\",\"address\":\"a\\nb\",\"devices\":[]}",
            "{\"node\":\"fz\",\"address\":\"" + "h".repeat(600) + "\",\"devices\":[]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[" + dev + "," + dev + "]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[" + dev.replace("96", "1e300") + "]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[" + dev.replace("96", "\"NaN\"") + "]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[" + dev.replace("0,", "-5,") + "]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[" + dev.replace("nvidia-h20", "h100x") + "]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"devices\":[null]}",
            "{\"node\":\"fz\",\"address\":\"127.0.0.1\",\"labels\":{\"" + "k".repeat(100) + "\":\"v\"},\"devices\":[]}",
            "{\"node\":\"fz\",\"devices\":[],\"shards\":[{\"jobId\":\"" + "j".repeat(600) + "\",\"shard\":0,\"attempt\":1,"
                    + "\"phase\":\"EXITED\"}]}",
            "{\"node\":\"fz\",\"devices\":[],\"shards\":[{\"jobId\":\"job-1\",\"shard\":-1,\"attempt\":0,\"phase\":\"EXITED\"}]}",
            "{\"node\":\"fz\",\"devices\":[],\"shards\":[{\"jobId\":\"job-1\",\"shard\":0,\"attempt\":1,\"phase\":\"DANCING\"}]}",
            "{\"node\":\"fz\",\"devices\":[],\"shards\":[{\"jobId\":\"job-1\",\"shard\":0,\"attempt\":1,\"phase\":\"RUNNING\","
                    + "\"samplesPerSec\":1e308,\"step\":-4}]}",
            "{\"node\":\"fz\",\"devices\":[],\"shards\":[{\"jobId\":\"job-1\",\"shard\":0,\"attempt\":1,\"phase\":\"RUNNING\"},"
                    + "{\"jobId\":\"job-1\",\"shard\":0,\"attempt\":1,\"phase\":\"RUNNING\"}]}",
            "{\"node\":\"other\",\"devices\":[]}",
            "{\"node\":\"fz\",\"devices\":" + value(3) + ",\"shards\":" + value(3) + "}",
        };
        String body = bodies[random.nextInt(bodies.length)];
        String[] paths = {"/v1/agents/register", "/v1/agents/fz/heartbeat", "/v1/agents/enroll"};
        String path = paths[random.nextInt(paths.length)];
        if (path.equals("/v1/agents/enroll")) {
            body = random.nextBoolean() ? "{\"node\":\"" + "n".repeat(600) + "\",\"joinToken\":\"x\"}"
                    : "{\"node\":" + value(2) + ",\"joinToken\":" + value(2) + "}";
        } else if (path.endsWith("heartbeat") && body.contains("\"address\"") && !body.contains("shards")) {
            body = body.replace("\"address\"", "\"addr\"");
        }
        return new String[] {path, body};
    }

    /** One generated request; returns its status, or 0 when the server closed the connection without one. */
    private int send(TestCluster c, int i) throws Exception {
        return switch (i % 6) {
            case 0 -> post(c, "application/json", wrongTypes().getBytes(StandardCharsets.UTF_8));
            case 1 -> post(c, "application/yaml", huge().getBytes(StandardCharsets.UTF_8));
            case 2 -> post(c, random.nextBoolean() ? "application/json" : "application/yaml", nested());
            case 3 -> post(c, "application/yaml", invalidUtf8());
            case 4 -> traversal(c);
            default -> headerAbuse(c);
        };
    }

    private int post(TestCluster c, String type, byte[] body) {
        String path = random.nextInt(4) == 0 ? "/v1/plan" : "/v1/jobs";
        return c.sendAs(TestCluster.ALICE, "POST", path, body, type).status();
    }

    private String wrongTypes() {
        StringBuilder b = new StringBuilder("{");
        int n = 1 + random.nextInt(FIELDS.length);
        for (int k = 0; k < n; k++) {
            b.append(k == 0 ? "" : ",").append('"').append(FIELDS[random.nextInt(FIELDS.length)]).append("\":").append(value(3));
        }
        return b.append('}').toString();
    }

    private String value(int depth) {
        return switch (random.nextInt(depth <= 0 ? 6 : 8)) {
            case 0 -> "null";
            case 1 -> Boolean.toString(random.nextBoolean());
            case 2 -> Long.toString(random.nextLong());
            case 3 -> Double.toString((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(300)));
            case 4 -> "\"" + "abc\\u0000\\n../\"".repeat(random.nextInt(4)).replace("\"", "") + "\"";
            case 5 -> "-0.0e-400";
            case 6 -> "[" + value(depth - 1) + "," + value(depth - 1) + "]";
            default -> "{\"" + FIELDS[random.nextInt(FIELDS.length)] + "\":" + value(depth - 1) + "}";
        };
    }

    private String huge() {
        return switch (random.nextInt(5)) {
            case 0 -> VALID.replace("globalBatch: 4", "globalBatch: 9" + "9".repeat(5000));
            case 1 -> VALID.replace("name: keep", "name: " + "n".repeat(200_000));
            case 2 -> VALID.replace("shards: 1", "shards: 1e308");
            case 3 -> VALID + "env: {" + String.join(", ", Collections.nCopies(500, "")).replace("", "") + "}";
            default -> VALID.replace("command: [w]", "command: [" + "x,".repeat(5000) + "x]");
        };
    }

    private byte[] nested() {
        int depth = 50 + random.nextInt(5000);
        String s = random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] invalidUtf8() {
        byte[] base = VALID.getBytes(StandardCharsets.UTF_8);
        byte[] out = base.clone();
        for (int k = 0; k < 1 + random.nextInt(5); k++) {
            out[random.nextInt(out.length)] = (byte) (0x80 + random.nextInt(0x7f));
        }
        return out;
    }

    private int traversal(TestCluster c) {
        String[] dirs = {"/data/../../etc", "../../root/.ssh", "/ckpt/%2e%2e/%2e%2e", "/a/b/..", "C:\\\\Windows", "/x\\u0000y"};
        String[] paths = {"/v1/jobs/..%2F..%2Fetc%2Fpasswd", "/v1/jobs/%2e%2e%2f%2e%2e", "/v1/jobs/../../etc/passwd",
                "/v1/agents/..%2F..%2Fnode/heartbeat", "/v1/agents/node/assignments?version=../../1",
                "/v1/nodes/%00/drain", "/v1/jobs/" + "a".repeat(5000), "/v1/jobs/%ff%fe"};
        if (random.nextBoolean()) {
            String body = VALID + "checkpointDir: \"" + dirs[random.nextInt(dirs.length)] + "\"\n";
            return c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", body.getBytes(StandardCharsets.UTF_8), "application/yaml")
                    .status();
        }
        String method = random.nextBoolean() ? "GET" : random.nextBoolean() ? "DELETE" : "POST";
        return c.sendAs(TestCluster.ADMIN, method, paths[random.nextInt(paths.length)], method.equals("POST") ? new byte[0] : null,
                null).status();
    }

    private int headerAbuse(TestCluster c) throws Exception {
        URI u = URI.create(c.url());
        String body = VALID;
        String request = switch (random.nextInt(8)) {
            case 0 -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestCluster.ALICE + "\r\nAuthorization: Bearer "
                    + TestCluster.ADMIN + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
            case 1 -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestCluster.ALICE
                    + "\r\nContent-Type: text/\u00ff\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
            case 2 -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestCluster.ALICE
                    + "\r\nContent-Length: 99999999999999999999\r\n\r\n" + body;
            case 3 -> "GET /v1/jobs HTTP/1.1\r\nHost: x\r\n" + "X-Junk: y\r\n".repeat(3000) + "\r\n";
            case 4 -> "GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + "z".repeat(30_000) + "\r\n\r\n";
            case 5 -> "BREW /v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n";
            case 6 -> "GET /v1/jobs HTTP/9.9\r\n\r\n";
            default -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestCluster.ALICE
                    + "\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n" + body;
        };
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : 0;
        } catch (SocketException | SocketTimeoutException e) {
            return 0;
        }
    }
}
