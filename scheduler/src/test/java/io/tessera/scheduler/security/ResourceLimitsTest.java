package io.tessera.scheduler.security;

import java.net.SocketTimeoutException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.e2e.TestCluster;
import io.tessera.scheduler.e2e.TestCluster.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One user or client cannot exhaust the scheduler: per-user job limits, a request rate, header deadlines, a connection cap. */
class ResourceLimitsTest {
    private static final String SMALL = "name: q\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\nmemoryPerShardGiB: 1\nglobalBatch: 4\n";
    @TempDir
    Path dir;

    private static LimitsConfig limits(Integer jobs, Long bytes, Double rate, Integer burst, Integer connections,
                                       Long headerMs) {
        return new LimitsConfig(jobs, bytes, null, rate, burst, connections, headerMs, null, null, null, null, null, null);
    }

    @Test
    void aUserPastTheirJobLimitGets429WithRetryAfterAndOthersAreServed() {
        try (TestCluster c = TestCluster.start(dir, limits(3, null, null, null, null, null))) {
            for (int i = 0; i < 3; i++) {
                c.submitAs(TestCluster.ALICE, SMALL);
            }
            Response over = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", SMALL.getBytes(), "application/yaml");
            assertThat(over.status()).isEqualTo(429);
            assertThat(over.body()).contains("maxQueuedJobsPerUser");
            assertThat(c.submitAs(TestCluster.BOB, SMALL)).startsWith("job-");
        }
    }

    @Test
    void storedSpecBytesAreCappedPerUserAndArgvPlusEnvPerJob() {
        try (TestCluster c = TestCluster.start(dir, limits(null, 8192L, null, null, null, null))) {
            String pad = "x".repeat(25 * 1024);
            String big = SMALL + "env: {PAD1: '" + pad + "', PAD2: '" + pad + "', PAD3: '" + pad + "'}\n";
            Response tooBig = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", big.getBytes(), "application/yaml");
            assertThat(tooBig.status()).isEqualTo(400);
            assertThat(tooBig.body()).contains("\"field\":\"env\"", "the limit is 65536");
            String mid = SMALL + "env: {PAD: '" + "x".repeat(3000) + "'}\n";
            int accepted = 0;
            Response r;
            while ((r = c.sendAs(TestCluster.ALICE, "POST", "/v1/jobs", mid.getBytes(), "application/yaml")).status() == 201) {
                accepted++;
            }
            assertThat(accepted).isBetween(1, 3);
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.body()).contains("maxSpecBytesPerUser");
        }
    }

    @Test
    void aClientOverItsRateGets429AndAnotherClientIsServed() {
        try (TestCluster c = TestCluster.start(dir, limits(null, null, 5.0, 10, null, null))) {
            int limited = 0;
            String retryAfter = null;
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> r = send(http, c, TestCluster.ALICE);
                if (r.statusCode() == 429) {
                    limited++;
                    retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                }
            }
            assertThat(limited).isGreaterThanOrEqualTo(25);
            assertThat(retryAfter).isNotNull();
            assertThat(send(http, c, TestCluster.BOB).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> send(HttpClient http, TestCluster c, String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(c.url() + "/v1/jobs")).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void slowLorisConnectionsAreCutAndTheCapHoldsWhileTheServerKeepsServing() throws Exception {
        try (TestCluster c = TestCluster.start(dir, limits(null, null, null, null, 40, 500L))) {
            int port = URI.create(c.url()).getPort();
            List<Socket> loris = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /v1/jobs HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                loris.add(s);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> loris.stream().allMatch(ResourceLimitsTest::closedByServer));
            assertThat(c.send("GET", "/v1/jobs", null, null).status()).isEqualTo(200);
            for (Socket s : loris) {
                s.close();
            }
        }
    }

    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write('X');
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (Exception e) {
            return true;
        }
    }

}
