package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.container.LocalImages;
import io.tessera.config.AgentConfig;
import io.tessera.config.ContainerRuntimeConfig;
import io.tessera.scheduler.cli.TesseraMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One data-parallel job whose shards run a different image per vendor, through the real
 * scheduler and three vendors' agents running real Podman: each shard runs its variant's image
 * and the gang still meets as one job. Bad input (an image on a node without a runtime, an image
 * outside the admins' allow-list) is a clear error and nothing is lost. Images are built here from
 * Debian's busybox-static; nothing is pulled. Needs root and Podman: required under CI
 * ({@code TESSERA_REQUIRE_PODMAN=1}), skipped elsewhere.
 */
class ContainerJobTest {
    private static final ContainerRuntimeConfig PODMAN = new ContainerRuntimeConfig("podman", "runc", null, "64m", null,
            60_000L, null, null);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Map<String, String> IMAGES = new HashMap<>();
    private static LocalImages images;
    @TempDir
    static Path scratch;
    @TempDir
    Path dir;
    private TestCluster cluster;

    @BeforeAll
    static void buildImages() throws IOException {
        boolean here = Files.isExecutable(Path.of("/usr/bin/podman")) && LocalImages.busyboxAvailable()
                && "root".equals(System.getProperty("user.name"));
        if ("1".equals(System.getenv("TESSERA_REQUIRE_PODMAN"))) {
            assertThat(here).as("TESSERA_REQUIRE_PODMAN=1: root, podman and busybox-static are here").isTrue();
        }
        Assumptions.assumeTrue(here, "needs root, podman and busybox-static (CI installs them)");
        images = new LocalImages("/usr/bin/podman");
        for (String flavor : List.of("base", "cann", "cuda")) {
            String tag = "localhost/tessera-test/train:" + flavor + "-" + RUN;
            images.busybox(tag, Files.createDirectories(scratch.resolve(flavor)), Map.of("/etc/flavor", flavor + "\n"));
            IMAGES.put(flavor, tag);
        }
    }

    @AfterAll
    static void removeImages() {
        if (images != null) {
            IMAGES.values().forEach(images::remove);
        }
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String job(String extra) {
        return "name: variants\ncommand: [sh, -c, 'echo flavor=$(cat /etc/flavor) rank=$RANK world=$WORLD_SIZE "
                + "master=$MASTER_ADDR:$MASTER_PORT; echo TESSERA_PROGRESS step=1 total=1']\n"
                + "shards: 3\ndevicesPerShard: 1\nmodel: {parameters: 1B, tokensPerSample: 512}\nglobalBatch: 48\n"
                + "precisions: [bf16]\nvendorPolicy: {minVendors: 3}\n" + extra;
    }

    private static final String VARIANTS = "image: " + "%s" + "\nvariants:\n  huawei: {image: \"%s\"}\n  nvidia: {image: \"%s\"}\n";

    @Test
    void eachVendorsShardsRunTheirOwnImageAndTheGangRunsAsOneJob() {
        cluster = TestCluster.start(dir);
        cluster.agent("ascend-1", AgentConfig.DeviceSource.simulated("ascend-910b", 2), PODMAN);
        cluster.agent("nvidia-1", AgentConfig.DeviceSource.simulated("nvidia-h20", 2), PODMAN);
        cluster.agent("asic-1", AgentConfig.DeviceSource.simulated("acme-tpx1", 2), PODMAN);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 3);
        assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.path("containers").path("runtime").asText())
                .as("each node reports its runtime").isEqualTo("podman"));
        String spec = job(String.format(VARIANTS, IMAGES.get("base"), IMAGES.get("cann"), IMAGES.get("cuda")));
        JsonNode plan = cluster.send("POST", "/v1/plan", spec.getBytes(), "application/yaml").json();
        for (JsonNode s : plan.get("shards")) { // the dry run shows what each shard would run
            String vendor = s.get("vendor").asText();
            assertThat(s.get("image").asText()).isEqualTo(IMAGES.get(Map.of("huawei", "cann", "nvidia", "cuda", "acme", "base")
                    .get(vendor)));
            assertThat(s.has("command")).as("the command, where a variant applies").isEqualTo(!vendor.equals("acme"));
        }
        String id = cluster.submit(spec);
        await().atMost(Duration.ofSeconds(120)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(cluster.job(id).get("state").asText()));
        JsonNode done = cluster.job(id);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        Map<String, String> want = Map.of("huawei", "cann", "nvidia", "cuda", "acme", "base");
        for (JsonNode s : done.get("shards")) {
            String vendor = s.get("vendor").asText();
            assertThat(s.get("image").asText()).isEqualTo(IMAGES.get(want.get(vendor)));
            assertThat(s.get("imageDigest").asText()).startsWith("sha256:");
            String log = cluster.send("GET", "/v1/jobs/" + id + "/shards/" + s.get("shard").asInt() + "/log", null, null).body();
            assertThat(log).contains("flavor=" + want.get(vendor)).contains("world=3");
        }
        assertThat(done.get("spec").get("variants").get("huawei").get("image").asText()).isEqualTo(IMAGES.get("cann"));
        assertThat(done.get("events").findValuesAsText("type")).as("started on the digests the nodes agreed on")
                .containsSubsequence("PLACED", "IMAGES_PINNED", "RUNNING");
        StringWriter out = new StringWriter();
        new CommandLine(new TesseraMain()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(new StringWriter(), true))
                .execute("status", id, "--url", cluster.url(), "--token", TestCluster.ADMIN);
        assertThat(out.toString()).as("tessera status names each shard's image and variant")
                .containsPattern("huawei\\s+" + IMAGES.get("cann").replace(".", "\\.") + "\\s+sha256:")
                .contains(IMAGES.get("base"));
    }

    @Test
    void anImageJobOnAFleetWithoutARuntimeAndAnImageOutsideTheAllowListAreClearErrors() {
        cluster = TestCluster.allowingImages(dir, List.of("localhost/tessera-test/*"));
        cluster.agent("nvidia-1", AgentConfig.DeviceSource.simulated("nvidia-h20", 4));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1);
        assertThat(cluster.nodes().get(0).has("containers")).as("a node without a runtime reports none").isFalse();
        String single = "name: one\ncommand: [sh, -c, 'true']\nshards: 1\nmodel: {parameters: 1B, tokensPerSample: 512}\n"
                + "globalBatch: 8\nprecisions: [bf16]\n";
        TestCluster.Response refused = cluster.send("POST", "/v1/jobs", (single + "image: docker.io/evil/miner:1\n").getBytes(),
                "application/yaml");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("\"image\"").contains("containers.allowedImages");

        TestCluster.Response noRuntime = cluster.send("POST", "/v1/jobs",
                (single + "image: " + IMAGES.get("base") + "\n").getBytes(), "application/yaml");
        assertThat(noRuntime.status()).as(noRuntime.body()).isEqualTo(400);
        assertThat(noRuntime.body()).contains("no container runtime").contains("no node with free devices of it has a container runtime");

        String waiting = cluster.submit(single + "image: " + IMAGES.get("base") + "\nallowUnschedulable: true\n");
        String host = cluster.submit(single.replace("name: one", "name: host"));
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.job(host).get("state").asText().equals("SUCCEEDED"));
        assertThat(cluster.job(waiting).get("state").asText()).as("accepted, and waits for a node with a runtime")
                .isEqualTo("QUEUED");

        cluster.agent("nvidia-2", AgentConfig.DeviceSource.simulated("nvidia-h20", 4), PODMAN); // a node that runs containers
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.job(waiting).get("state").asText().equals("SUCCEEDED"));
        assertThat(cluster.job(waiting).get("shards").get(0).get("node").asText()).isEqualTo("nvidia-2");
    }

    @Test
    void aMissingImageFailsTheJobAtOnceWithoutSpendingItsRestarts() {
        cluster = TestCluster.start(dir);
        cluster.agent("nvidia-1", AgentConfig.DeviceSource.simulated("nvidia-h20", 2), PODMAN);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().size() == 1);
        String id = cluster.submit("name: missing\ncommand: [sh, -c, 'true']\nshards: 1\n"
                + "model: {parameters: 1B, tokensPerSample: 512}\nglobalBatch: 8\nprecisions: [bf16]\nrestartLimit: 3\n"
                + "image: localhost/tessera-test/not-built-" + RUN + ":1\n");
        await().atMost(Duration.ofSeconds(90)).until(() -> cluster.job(id).get("state").asText().equals("FAILED"));
        JsonNode job = cluster.job(id);
        assertThat(job.get("restarts").asInt()).isZero();
        assertThat(job.get("events").toString()).contains("not-built-" + RUN).contains("could not be pulled");
    }
}
