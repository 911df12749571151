package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.agent.container.LocalImages;
import io.tessera.config.AgentConfig;
import io.tessera.config.ContainerRuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch example trained by one three-vendor job whose vendors run three different images
 * of one stack, through the real scheduler and agents with real Podman: a PyTorch image made here
 * from Debian's installed python3-torch and the example's code, and two variants of it (one layer
 * each). The gang meets as one job over Gloo and the loss falls. Needs root, Podman and
 * python3-torch: required under CI, skipped elsewhere.
 */
class ContainerTorchTest {
    private static final ContainerRuntimeConfig PODMAN = new ContainerRuntimeConfig("podman", "runc", null, "256m", null,
            60_000L, null, null);
    @TempDir
    Path dir;

    @Test
    void threeImagesOfOneJobTrainThePyTorchExampleToAFallingLoss() throws Exception {
        PyTorchWorkerTest.requireTorch();
        boolean podman = Files.isExecutable(Path.of("/usr/bin/podman")) && "root".equals(System.getProperty("user.name"));
        if ("1".equals(System.getenv("TESSERA_REQUIRE_PODMAN"))) {
            assertThat(podman).as("TESSERA_REQUIRE_PODMAN=1: root and podman are here").isTrue();
        }
        Assumptions.assumeTrue(podman, "needs root and podman (CI installs it)");
        String run = UUID.randomUUID().toString().substring(0, 8);
        LocalImages images = new LocalImages("/usr/bin/podman");
        Path examples = PyTorchWorkerTest.TRAIN.getParent();
        List<String> tags = new ArrayList<>();
        try {
            String base = images.fromPackages("localhost/tessera-test/torch:" + run, Files.createDirectories(dir.resolve("base")),
                    List.of("python3-torch", "dash", "coreutils"), Map.of("/workspace/train.py", examples.resolve("train.py"),
                            "/workspace/tessera_comm.py", examples.resolve("tessera_comm.py"),
                            "/workspace/tessera_gang.py", examples.resolve("tessera_gang.py"), "/etc/stack", stack(dir, "base")));
            tags.add(base);
            for (String flavor : List.of("cann", "cuda")) {
                tags.add(images.derive(base, "localhost/tessera-test/torch:" + flavor + "-" + run,
                        Files.createDirectories(dir.resolve(flavor)), Map.of("/etc/stack", flavor + "\n")));
            }
            try (TestCluster c = TestCluster.start(Files.createDirectories(dir.resolve("cluster")))) {
                c.agent("ascend-a", AgentConfig.DeviceSource.simulated("ascend-910b", 4), PODMAN);
                c.agent("h20-a", AgentConfig.DeviceSource.simulated("nvidia-h20", 4), PODMAN);
                c.agent("asic-a", AgentConfig.DeviceSource.simulated("acme-tpx1", 4), PODMAN);
                await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 3);
                String id = c.submit("name: torch-images\ncommand: [sh, -c, 'echo stack=$(cat /etc/stack); "
                        + "exec python3 /workspace/train.py --steps 120 --checkpoint-every 40']\n"
                        + "image: " + tags.get(0) + "\nvariants:\n  huawei: {image: \"" + tags.get(1) + "\"}\n"
                        + "  nvidia: {image: \"" + tags.get(2) + "\"}\nshards: 3\ndevicesPerShard: 4\n"
                        + "model: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 256\nprecisions: [bf16]\n"
                        + "vendorPolicy: {maxVendorShare: 0.5}\ncheckpointDir: " + Files.createDirectories(dir.resolve("ckpt"))
                        + "\nrestartLimit: 0\n");
                await().atMost(Duration.ofSeconds(300)).until(() -> List.of("SUCCEEDED", "FAILED")
                        .contains(c.job(id).get("state").asText()));
                JsonNode done = c.job(id);
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                Map<String, String> want = Map.of("huawei", "cann", "nvidia", "cuda", "acme", "base");
                for (JsonNode s : done.get("shards")) {
                    String log = c.send("GET", "/v1/jobs/" + id + "/shards/" + s.get("shard").asInt() + "/log", null, null).body();
                    assertThat(log).contains("stack=" + want.get(s.get("vendor").asText())).contains("finished 120 steps");
                }
                String rank0 = c.send("GET", "/v1/jobs/" + id + "/shards/0/log", null, null).body();
                assertThat(rank0).contains("bridge gloo between leaders 0,1,2");
                assertThat(loss(rank0, 120)).as("the loss falls").isLessThan(loss(rank0, 1) * 0.5).isLessThan(0.5);
            }
        } finally {
            for (int i = tags.size() - 1; i >= 0; i--) { // the variants first: they are built on the base
                images.remove(tags.get(i));
            }
        }
    }

    private static Path stack(Path dir, String name) throws Exception {
        return Files.writeString(dir.resolve("stack-" + name), name + "\n");
    }

    private static double loss(String log, long step) {
        Matcher m = Pattern.compile("TESSERA_PROGRESS step=" + step + " total=\\d+ loss=([0-9.]+)").matcher(log);
        assertThat(m.find()).as("step %d in the log", step).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
