package io.tessera.scheduler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tessera.config.Documents;
import io.tessera.config.wire.DeviceReport;
import io.tessera.scheduler.e2e.TestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's log relay holds against a hostile or broken node. It is bounded (issue 27, N1): an error
 * answer is read only as far as its start, and a node that never answers frees the user. Before,
 * the relay read a non-200 body whole into memory: a 700 MB answer put a 512 MB scheduler into an
 * out-of-memory storm. And it reads only from where the node is (N2).
 */
class LogRelayBoundsTest {
    private static final long HUGE = 512L << 20;
    @TempDir
    Path dir;

    @Test
    void aNodesHugeErrorAnswerIsNotReadWholeAndASilentNodeTimesOut() throws Exception {
        AtomicLong sent = new AtomicLong();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        HttpServer node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        node.createContext("/", ex -> {
            if (ex.getRequestURI().getQuery() != null && ex.getRequestURI().getQuery().contains("tail=1")) {
                awaitQuietly(release); // never answers
                return;
            }
            ex.sendResponseHeaders(500, 0);
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) 'x');
            try (OutputStream out = ex.getResponseBody()) {
                while (sent.get() < HUGE) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the scheduler hung up: what it should do
            }
            answered.countDown();
        });
        node.setExecutor(Executors.newCachedThreadPool());
        node.start();
        try (TestCluster c = TestCluster.start(dir)) {
            String id = placedOnFakeNode(c, node.getAddress().getPort());
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String log = c.url() + "/v1/jobs/" + id + "/shards/0/log";

            HttpResponse<String> huge = client.send(HttpRequest.newBuilder(URI.create(log)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + TestCluster.ALICE).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(huge.statusCode()).as(huge.body()).isEqualTo(502);
            assertThat(huge.body()).contains("answered 500").contains("xxxx");
            assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(sent.get()).as("bytes the node could push before the relay hung up").isLessThan(32L << 20);

            long t0 = System.nanoTime();
            HttpResponse<String> silent = client.send(HttpRequest.newBuilder(URI.create(log + "?tail=1"))
                    .timeout(Duration.ofSeconds(40)).header("Authorization", "Bearer " + TestCluster.ALICE).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(silent.statusCode()).as(silent.body()).isEqualTo(502);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        } finally {
            release.countDown();
            node.stop(0);
        }
    }

    /**
     * Regression (issue 27, N2): the log endpoint's host was checked only against the address the
     * same agent claimed, so a node could aim the scheduler's log reads at any host, its own
     * loopback included. Now the scheduler reads logs from the address the agent connected from.
     */
    @Test
    void aNodeCannotAimTheLogRelayAtAnotherHost() throws Exception {
        try (TestCluster c = TestCluster.start(dir)) {
            register(c, "elsewhere", "10.9.9.9", 4567);
            assertThat(c.storedNode("elsewhere").path("logs").path("url").asText())
                    .isEqualTo("http://127.0.0.1:4567");
        }
    }

    /**
     * Regression (issue 27, N3): six followed streams of one user held all five relay connections
     * to a node, and every other user's log reads there timed out. Now a user follows at most 3 at
     * once (429 beyond), and others read beside them.
     */
    @Test
    void oneUsersFollowedStreamsLeaveRoomForEveryoneElse() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        node.createContext("/", ex -> {
            boolean follow = ex.getRequestURI().getQuery() != null && ex.getRequestURI().getQuery().contains("follow=true");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("line\n".getBytes());
                out.flush();
                if (follow) {
                    awaitQuietly(release); // a worker that keeps running
                }
            } catch (IOException e) {
                // the scheduler hung up
            }
        });
        node.setExecutor(Executors.newCachedThreadPool());
        node.start();
        try (TestCluster c = TestCluster.start(dir)) {
            String id = placedOnFakeNode(c, node.getAddress().getPort());
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String log = c.url() + "/v1/jobs/" + id + "/shards/0/log";
            List<CompletableFuture<HttpResponse<InputStream>>> streams = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                streams.add(client.sendAsync(HttpRequest.newBuilder(URI.create(log + "?follow=true"))
                        .header("Authorization", "Bearer " + TestCluster.ALICE).build(), HttpResponse.BodyHandlers.ofInputStream()));
            }
            List<Integer> codes = new ArrayList<>();
            for (var f : streams) {
                codes.add(f.get(20, TimeUnit.SECONDS).statusCode());
            }
            assertThat(codes).as("alice's six streams").containsOnly(200, 429);
            assertThat(codes.stream().filter(code -> code == 200).count()).isEqualTo(3);

            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(log)).timeout(Duration.ofSeconds(8))
                    .header("Authorization", "Bearer " + TestCluster.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.body()).isEqualTo("line\n");

            for (var f : streams) { // alice closes hers; her slots come back
                f.get().body().close();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<InputStream> again = client.send(HttpRequest.newBuilder(URI.create(log + "?follow=true"))
                        .header("Authorization", "Bearer " + TestCluster.ALICE).build(), HttpResponse.BodyHandlers.ofInputStream());
                again.body().close();
                return again.statusCode() == 200;
            });
        } finally {
            release.countDown();
            node.stop(0);
        }
    }

    /** A fake node that enrolls with the fleet's join token, serves logs from {@code port}, and gets alice's job. */
    private static String placedOnFakeNode(TestCluster c, int port) throws Exception {
        register(c, "evil", "127.0.0.1", port);
        String id = c.submitAs(TestCluster.ALICE, "name: victim\ncommand: [w]\nshards: 1\nflopsPerSample: 1e12\n"
                + "memoryPerShardGiB: 1\nglobalBatch: 2\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> c.job(id).path("events").findValuesAsText("type")
                .contains("PLACED"));
        return id;
    }

    /** Enrolls {@code node} with the fleet's join token and registers it as at {@code address}, its logs on {@code port} there. */
    private static void register(TestCluster c, String node, String address, int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String credential = Documents.parseJson(client.send(HttpRequest.newBuilder(URI.create(c.url() + "/v1/agents/enroll"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"" + node + "\",\"joinToken\":\"" + c.joinToken + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body().getBytes()).get("credential").asText();
        String devices = Documents.json().writeValueAsString(List.of(
                DeviceReport.basic(0, node + "-0", "nvidia-h20", "nvidia-h20", 96, true, null)));
        HttpResponse<String> registered = client.send(HttpRequest.newBuilder(URI.create(c.url() + "/v1/agents/register"))
                .header("Authorization", "Bearer " + credential).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"node\":\"" + node + "\",\"address\":\"" + address + "\",\"devices\":" + devices
                                + ",\"logs\":{\"url\":\"http://" + address + ":" + port + "\",\"key\":\"tsl_aaaaaaaaaaaaaaaaaaaaaaaa\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
