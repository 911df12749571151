package io.tessera.scheduler.security;

import io.tessera.config.AuthConfig;
import io.tessera.config.AuditConfig;
import io.tessera.scheduler.audit.AuditTrail;
import io.tessera.scheduler.state.memory.InMemoryAuditLog;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.config.ConfigLoader;
import io.tessera.config.Documents;
import java.nio.file.Files;
import io.tessera.scheduler.health.HealthMonitor;
import io.tessera.scheduler.policy.HeartbeatPolicy;
import io.tessera.scheduler.state.memory.InMemoryJobHistory;
import java.util.Optional;
import java.nio.file.Path;
import io.tessera.scheduler.service.QueueService;
import java.util.UUID;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpecParser;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.api.ApiServer;
import io.tessera.scheduler.auth.AuthSetup;
import io.tessera.scheduler.metrics.SchedulerMetrics;
import io.tessera.scheduler.placement.PlacementEngine;
import io.tessera.scheduler.SchedulerNode;
import io.tessera.scheduler.service.AgentService;
import io.tessera.scheduler.service.JobService;
import io.tessera.scheduler.service.PlanService;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastClusterStore;
import io.tessera.scheduler.state.hazelcast.HazelcastMember;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * User requests can never hold up a heartbeat: with every user-side worker stuck (the store's
 * job listing blocks, as it would under a slow database or a huge answer), agents are still
 * answered at once, because they run on a pool of their own.
 */
class HeartbeatIsolationTest {
    private static final String JOIN = "tsj_isolation-join";

    @Test
    void heartbeatsAreAnsweredWhileEveryUserWorkerIsBusy() throws Exception {
        SchedulerConfig config = ConfigLoader.bind(Documents.json().createObjectNode()
                .put("clusterName", "iso-" + UUID.randomUUID()).put("dataDir", "none")
                .set("limits", Documents.json().createObjectNode().put("requestsPerSecond", 1e6)
                        .put("requestBurst", 1_000_000)), SchedulerConfig.class);
        HazelcastInstance hz = HazelcastMember.start(config);
        Vertx vertx = Vertx.vertx();
        CountDownLatch release = new CountDownLatch(1);
        try {
            ClusterStore real = new HazelcastClusterStore(hz);
            ClusterStore stuck = (ClusterStore) Proxy.newProxyInstance(ClusterStore.class.getClassLoader(),
                    new Class<?>[] {ClusterStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("jobs")) {
                            release.await(60, TimeUnit.SECONDS);
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            ChipCatalog catalog = ChipCatalog.builtIn();
            JobSpecParser parser = new JobSpecParser(catalog);
            SecretBox secrets = SecretBox.from(config);
            Path joinFile = Files.createTempFile("join", ".txt");
            Files.writeString(joinFile, Tokens.sha256(JOIN) + "\n");
            AuthSetup auth = AuthSetup.from(new AuthConfig("token", null, joinFile.toString(), null, null,
                    null), real, Clock.systemUTC());
            HttpServer http = ApiServer.start(vertx, config, new JobService(stuck, parser, Clock.systemUTC(), secrets,
                            config.limits(), new InMemoryJobHistory(100)), new AgentService(real, config, Clock.systemUTC(), new SchedulerMetrics(), secrets,
                            catalog, HeartbeatPolicy.from(config)), new PlanService(new ClusterView(real, catalog), parser, new PlacementEngine(),
                            SchedulerNode.policy(config)), new QueueService(real, new ClusterView(real, catalog), catalog),
                    real, Clock.systemUTC(), () -> "", auth,
                    new HealthMonitor(Optional.empty(), hz, 3, status -> { }),
                    new AuditTrail(new InMemoryAuditLog(100), AuditConfig.DEFAULT, Clock.systemUTC())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + http.actualPort();
            HttpClient client = HttpClient.newHttpClient();
            String admin = auth.generatedAdmin().orElseThrow();
            List<CompletableFuture<HttpResponse<String>>> stuckReads = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                stuckReads.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                        .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString()));
            }
            String credential = Documents.parseJson(client.send(HttpRequest.newBuilder(
                    URI.create(base + "/v1/agents/enroll")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"node\":\"n1\",\"joinToken\":\"" + JOIN + "\"}")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().getBytes()).get("credential").asText();
            long t0 = System.nanoTime();
            HttpResponse<String> registered = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/agents/register"))
                    .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + credential)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"n1\",\"address\":\"127.0.0.1\",\"devices\":[]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> beat = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/agents/n1/heartbeat"))
                    .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + credential)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"n1\",\"devices\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("register + heartbeat with 40 stuck user reads: %.3f s%n", seconds);
            assertThat(registered.statusCode()).isEqualTo(200);
            assertThat(beat.statusCode()).isEqualTo(200);
            assertThat(stuckReads).noneMatch(CompletableFuture::isDone);
            release.countDown();
            for (var r : stuckReads) {
                assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            release.countDown();
            vertx.close();
            hz.shutdown();
        }
    }
}
