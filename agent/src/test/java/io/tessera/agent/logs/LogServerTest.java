package io.tessera.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.agent.worker.WorkerSupervisor;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.LogEndpoint;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's log endpoint over real HTTP, with real worker processes writing the logs. */
class LogServerTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;
    private LogServer server;
    private LogEndpoint endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        supervisor = new WorkerSupervisor(dir.resolve("work"));
        server = new LogServer("127.0.0.1", 0, "127.0.0.1", supervisor);
        endpoint = server.endpoint();
    }

    @AfterEach
    void stop() {
        server.close();
        supervisor.close();
    }

    private static ShardAssignment shard(int attempt, String script) {
        return ShardAssignment.builder("job-log", 0).jobName("t").gang(1, 0, 1).attempt(attempt)
                .command(List.of("sh", "-c", script), Map.of())
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).build();
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.url() + path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void runToEnd(long version, ShardAssignment a) {
        supervisor.reconcile(new AssignmentSet("n", version, List.of(a)));
        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.reports().stream()
                .anyMatch(r -> r.attempt() == a.attempt() && r.phase() == ShardPhase.EXITED));
    }

    @Test
    void onlyTheKeyOpensItAndPathsNameNothingButALog() throws Exception {
        runToEnd(1, shard(1, "echo secret-line"));
        assertThat(get("/logs/job-log/0/1", null).statusCode()).isEqualTo(401);
        assertThat(get("/logs/job-log/0/1", "tsl_wrong").statusCode()).isEqualTo(401);
        assertThat(get("/logs/job-log/0/1", endpoint.key()).body()).isEqualTo("secret-line\n");
        assertThat(get("/logs/..%2F..%2Fcredential/0/1", endpoint.key()).statusCode()).isEqualTo(404);
        assertThat(get("/logs/job-log/0/7", endpoint.key()).statusCode()).isEqualTo(404);
        assertThat(endpoint.key()).startsWith("tsl_").hasSizeGreaterThan(40);
    }

    @Test
    void attemptsAreSeparateFilesAndTailGivesTheLastLines() throws Exception {
        runToEnd(1, shard(1, "for i in 1 2 3 4 5; do echo first-$i; done; exit 3"));
        runToEnd(2, shard(2, "echo second-1; echo second-2"));
        assertThat(get("/logs/job-log/0", endpoint.key()).body()).isEqualTo("{\"attempts\":[1,2]}");
        assertThat(get("/logs/job-log/0/1", endpoint.key()).body()).startsWith("first-1\n").endsWith("first-5\n")
                .doesNotContain("second");
        assertThat(get("/logs/job-log/0/2?tail=1", endpoint.key()).body()).isEqualTo("second-2\n");
        assertThat(get("/logs/job-log/0/1?tail=2", endpoint.key()).body()).isEqualTo("first-4\nfirst-5\n");
        assertThat(get("/logs/job-log/0/1?tail=99999", endpoint.key()).statusCode()).isEqualTo(400);
    }

    @Test
    void followStreamsNewLinesUntilTheWorkerEnds() throws Exception {
        Path gate = dir.resolve("gate");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(shard(1,
                "echo before; while [ ! -f " + gate + " ]; do sleep 0.05; done; echo after; exit 0"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(supervisor.logFile("job-log", 0, 1))
                && Files.readString(supervisor.logFile("job-log", 0, 1)).contains("before"));
        HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint.url() + "/logs/job-log/0/1?follow=true"))
                .header("Authorization", "Bearer " + endpoint.key()).build();
        try (InputStream in = http.send(req, HttpResponse.BodyHandlers.ofInputStream()).body()) {
            byte[] first = new byte[7];
            assertThat(in.readNBytes(first, 0, 7)).isEqualTo(7);
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("before\n");
            Files.writeString(gate, "go"); // the worker writes more only now, while the stream is open
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("after\n"); // and the stream ends
        }
    }
}
