package io.tessera.scheduler.e2e;

import org.assertj.core.data.Offset;
import java.io.PrintWriter;
import java.io.StringWriter;
import io.tessera.scheduler.cli.TesseraMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed throughput loop through the real scheduler and agents, with the PyTorch example as
 * the workers: the Ascend 910B runs 30% slower than the catalog says (the example's simulated
 * chips, {@code --chip-speed ascend-910b=0.7}), so a split by the catalog leaves the other shards
 * waiting for it at every step. The scheduler sees the measured compute times spread, re-splits the
 * batch by measured speed (a REBALANCED event, the same attempt, no restart), the workers switch at
 * their next checkpoint, and from then on their compute times per step agree within 5% and the
 * gang's throughput rises. Figures print to the test output for docs/benchmarks.md.
 */
class RebalancingTest {
    private static final Pattern PROGRESS = Pattern.compile(
            "TESSERA_PROGRESS step=(\\d+) .*? samples=(\\d+) samples_per_sec=([0-9.]+) step_sec=[0-9.]+ split=(\\d+)");
    private static final int EVERY = 20;
    @TempDir
    Path dir;

    @Test
    void aChipSlowerThanTheCatalogIsRebalancedAwayWithinTwoCheckpoints() throws Exception {
        PyTorchWorkerTest.requireTorch();
        try (TestCluster c = TestCluster.start(dir)) {
            c.threeVendorNodes();
            String spec = "command: [\"" + PyTorchWorkerTest.PYTHON + "\", \""
                    + PyTorchWorkerTest.TRAIN + "\"]\nargs: [\"--steps\", \"240\", \"--checkpoint-every\", \"" + EVERY
                    + "\", \"--simulate-chips\", \"0.04\", \"--chip-speed\", \"ascend-910b=0.7\"]\nshards: 3\n"
                    + "devicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\nglobalBatch: 256\n"
                    + "precisions: [bf16]\nvendorPolicy: {maxVendorShare: 0.5}\ncheckpointDir: " + dir.resolve("ckpt")
                    + "\n";
            String id = c.submit("name: rebalance\n" + spec);
            await().atMost(Duration.ofSeconds(150)).until(() -> c.job(id).get("state").asText().equals("SUCCEEDED"));
            JsonNode done = c.job(id);
            assertThat(done.get("attempt").asInt()).as("the same attempt").isEqualTo(1);
            assertThat(done.get("restarts").asInt()).as("no restart spent").isZero();
            List<JsonNode> rebalanced = new ArrayList<>();
            done.get("events").forEach(e -> {
                if (e.get("type").asText().equals("REBALANCED")) {
                    rebalanced.add(e);
                }
            });
            assertThat(rebalanced).as("the events record it").isNotEmpty();
            assertThat(rebalanced.get(0).get("message").asText()).contains("spread").contains("ascend-910b");
            List<TreeMap<Long, double[]>> ranks = new ArrayList<>();
            long switched = -1;
            long settled = -1; // the step the last split adopted by the second checkpoint took effect at
            for (int shard = 0; shard < 3; shard++) {
                String log = c.send("GET", "/v1/jobs/" + id + "/shards/" + shard + "/log", null, null).body();
                ranks.add(steps(log));
                Matcher m = Pattern.compile("TESSERA_REBALANCED step=(\\d+) version=(\\d+)").matcher(log);
                assertThat(m.find()).as("shard %d switched to a new split", shard).isTrue();
                switched = Long.parseLong(m.group(1));
                do {
                    long at = Long.parseLong(m.group(1));
                    settled = at <= 2 * EVERY ? Math.max(settled, at) : settled;
                } while (m.find());
            }
            long firstSwitch = switched;
            long settledAt = Math.max(settled, firstSwitch);
            double before = median(IntStream.rangeClosed(2, (int) firstSwitch).mapToObj(s -> spread(ranks, s)).toList());
            // Within two checkpoints: a first split measured under load may be corrected at the second.
            double after = median(IntStream.rangeClosed((int) settledAt + 1, (int) settledAt + EVERY)
                    .mapToObj(s -> spread(ranks, s)).toList());
            double gangBefore = median(IntStream.rangeClosed(2, (int) firstSwitch).mapToObj(s -> gang(ranks, s)).toList());
            double gangAfter = median(IntStream.rangeClosed((int) firstSwitch + 1, 240).mapToObj(s -> gang(ranks, s)).toList());
            System.out.printf(Locale.ROOT, "rebalancing: split 1 adopted at step %d, the split in force from the second "
                    + "checkpoint at step %d (checkpoint every %d); compute-time spread median %.1f%% before, %.1f%% after; "
                    + "gang throughput median %.1f -> %.1f samples/s (+%.0f%%); %d REBALANCED events%n", firstSwitch,
                    settledAt, EVERY, 100 * before, 100 * after, gangBefore, gangAfter, 100 * (gangAfter / gangBefore - 1),
                    rebalanced.size());
            assertThat(firstSwitch).as("adopted within two checkpoints of the first one").isLessThanOrEqualTo(3 * EVERY);
            assertThat(before).as("the catalog's split leaves the slow chip behind").isGreaterThan(0.2);
            assertThat(after).as("step times within 5%% of each other within two checkpoints").isLessThanOrEqualTo(0.05);
            assertThat(gangAfter).as("measured throughput rises").isGreaterThan(gangBefore * 1.1);
            learnedSeedsTheNextPlacementUntilAnAdminResetsIt(c, done, spec);
        }
    }

    /** What the class measured: the slow chip at about 0.7 of the catalog, the others at about 1; and its next plan. */
    private static void learnedSeedsTheNextPlacementUntilAnAdminResetsIt(TestCluster c, JsonNode done, String spec) {
        JsonNode profiles = Documents.parseJson(c.sendAs(TestCluster.ADMIN, "GET", "/v1/profiles", null, null).body().getBytes());
        JsonNode estimates = profiles.get("profiles").get(0).get("estimates");
        assertThat(profiles.get("profiles").get(0).get("key").asText()).isEqualTo("rebalance@default");
        double ascend = estimates.get("ascend-910b/bf16").get("factor").asDouble();
        System.out.printf(Locale.ROOT, "learned factors: ascend-910b %.3f, nvidia-h20 %.3f, acme-tpx1 %.3f%n", ascend,
                estimates.get("nvidia-h20/bf16").get("factor").asDouble(),
                estimates.get("acme-tpx1/bf16").get("factor").asDouble());
        assertThat(ascend).as("the slow chip's learned factor").isBetween(0.63, 0.77);
        assertThat(estimates.get("nvidia-h20/bf16").get("factor").asDouble()).isBetween(0.9, 1.1);
        assertThat(done.get("shards").findValues("learnedEfficiency")).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> ascendRate(c, "rebalance", spec)
                / ascendRate(c, "another-class", spec) < 0.8); // the leader refreshes what it learned each second
        assertThat(ascendRate(c, "rebalance", spec) / ascendRate(c, "another-class", spec)).isCloseTo(ascend,
                Offset.offset(0.01));
        String table = cli(c, TestCluster.ADMIN, "profiles");
        assertThat(table).contains("CLASS").contains("rebalance").containsPattern("ascend-910b +bf16 +0\\.[67]");
        assertThat(c.sendAs(TestCluster.ALICE, "DELETE", "/v1/profiles/rebalance@default", null, null).status()).isEqualTo(403);
        assertThat(cli(c, TestCluster.ADMIN, "profiles", "--reset", "rebalance@default")).contains("forgot what rebalance@default learned");
        await().atMost(Duration.ofSeconds(10)).until(() -> Math.abs(ascendRate(c, "rebalance", spec)
                - ascendRate(c, "another-class", spec)) < 1e-9);
    }

    /** Runs the CLI against the cluster; its standard output. */
    private static String cli(TestCluster c, String token, String... args) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", c.url(), "--token", token));
        int code = new picocli.CommandLine(new TesseraMain())
                .setOut(new PrintWriter(out, true)).execute(all.toArray(String[]::new));
        assertThat(code).as("tessera %s: %s", all, out).isZero();
        return out.toString();
    }

    /** The per-shard samples/s a dry run of {@code spec} named {@code name} predicts on the Ascend 910B. */
    private static double ascendRate(TestCluster c, String name, String spec) {
        JsonNode plan = Documents.parseJson(c.send("POST", "/v1/plan", ("name: " + name + "\n" + spec).getBytes(),
                "application/yaml").body().getBytes());
        for (JsonNode chip : plan.get("chips")) {
            if (chip.get("chipType").asText().equals("ascend-910b")) {
                return chip.get("samplesPerSecPerShard").asDouble();
            }
        }
        throw new AssertionError("no ascend-910b in " + plan);
    }

    /** Per step: {samples, measured samples/s, split}. */
    private static TreeMap<Long, double[]> steps(String log) {
        TreeMap<Long, double[]> out = new TreeMap<>();
        for (Matcher m = PROGRESS.matcher(log); m.find(); ) {
            out.put(Long.parseLong(m.group(1)), new double[] {Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
        }
        return out;
    }

    /** (slowest - fastest) / slowest compute time of the gang's shards at {@code step}. */
    private static double spread(List<TreeMap<Long, double[]>> ranks, long step) {
        double slowest = 0;
        double fastest = Double.MAX_VALUE;
        for (TreeMap<Long, double[]> r : ranks) {
            double[] s = r.get(step);
            double t = s[0] / s[1];
            slowest = Math.max(slowest, t);
            fastest = Math.min(fastest, t);
        }
        return (slowest - fastest) / slowest;
    }

    /** The gang's samples/s at {@code step}, in chip time: the global batch over the slowest shard's compute time. */
    private static double gang(List<TreeMap<Long, double[]>> ranks, long step) {
        double slowest = 0;
        double samples = 0;
        for (TreeMap<Long, double[]> r : ranks) {
            double[] s = r.get(step);
            slowest = Math.max(slowest, s[0] / s[1]);
            samples += s[0];
        }
        return samples / slowest;
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
