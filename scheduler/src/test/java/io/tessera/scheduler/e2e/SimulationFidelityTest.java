package io.tessera.scheduler.e2e;

import java.io.IOException;
import java.util.Locale;
import java.io.UncheckedIOException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.ChipCatalog;
import io.tessera.config.ElasticConfig;
import io.tessera.config.JobSpecParser;
import io.tessera.scheduler.placement.NodeView;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.sim.SimJob;
import io.tessera.scheduler.sim.SimEvent;
import io.tessera.scheduler.sim.SimRecorder;
import io.tessera.scheduler.sim.Simulation;
import io.tessera.scheduler.sim.StepModel;
import io.tessera.scheduler.sim.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator against the real thing. Thirty one-shard jobs (two devices each; two thirds of
 * them H20-only, a third 910B-only) are submitted two seconds apart to a real scheduler with
 * three real agents (two 4-device H20 nodes, one 4-device 910B node), and run the example worker
 * with {@code --time-scale 0.1}: 9 to 45 s each, so most of them queue. Three warm-up jobs run
 * first. The same jobs, at the
 * same submission times, then run in the simulator. One figure is calibrated from the live run,
 * as simulators of real schedulers calibrate theirs: the agents' start-up overhead per attempt
 * (delivery, process start, exit report), the median over the jobs of live run time minus
 * predicted training time. Then every job's simulated JCT must be within 5% of its live JCT, and
 * the jobs must start in the same order (starts less than {@link #TIE_MS} apart live are ties).
 */
class SimulationFidelityTest {
    private static final int JOBS = 30;
    private static final double TIME_SCALE = 0.1;
    @TempDir
    Path dir;

    private static String spec(int i, long steps) {
        String chip = i % 3 == 2 ? "ascend-910b" : "nvidia-h20";
        return "name: fidelity-" + i + "\ncommand: [\"" + TestCluster.JAVA + "\", \"-XX:TieredStopAtLevel=1\", \"-cp\", \""
                + workerClasses() + "\", \"ExampleWorker\"]\n"
                + "args: [--steps, '" + steps + "', --checkpoint-every, '100000', --time-scale, '" + TIME_SCALE + "']\n"
                + "shards: 1\ndevicesPerShard: 2\nflopsPerSample: 1.0e14\nmemoryPerShardGiB: 1\nglobalBatch: 8\n"
                + "chipTypes: [" + chip + "]\nscheduling: {steps: " + steps + "}\n";
    }

    /** The example worker compiled once, so a worker starts in a fraction of a second rather than compiling itself. */
    private static Path workerClasses() {
        Path out = Path.of("target/fidelity-worker").toAbsolutePath();
        if (!Files.exists(out.resolve("ExampleWorker.class"))) {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(),
                    TestCluster.EXAMPLE_WORKER.toString());
            assertThat(rc).as("javac ExampleWorker").isZero();
        }
        return out;
    }

    private static long steps(int i) {
        return 30 + (i * 7L) % 31; // 30..60 steps
    }

    private static Instant at(JsonNode job, String type) {
        for (JsonNode e : job.path("events")) {
            if (e.path("type").asText().equals(type)) {
                return Instant.parse(e.path("at").asText());
            }
        }
        throw new AssertionError(job.path("id").asText() + " has no " + type + " event: " + job.path("events"));
    }

    @Test
    void theSimulatorPredictsEachJobsCompletionTimeWithin5PercentAndTheStartOrder() throws Exception {
        Map<Integer, String> ids = new ConcurrentHashMap<>();
        List<JsonNode> live = new ArrayList<>();
        try (TestCluster c = TestCluster.start(dir)) {
            c.agent("h20-1", "nvidia-h20", 4);
            c.agent("h20-2", "nvidia-h20", 4);
            c.agent("npu-1", "ascend-910b", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> c.nodes().size() == 3);
            warmUp(c);
            ScheduledExecutorService submitter = Executors.newSingleThreadScheduledExecutor();
            try {
                for (int i = 0; i < JOBS; i++) {
                    int n = i;
                    submitter.schedule(() -> ids.put(n, c.submit(spec(n, steps(n)))), 2000L * i, TimeUnit.MILLISECONDS);
                }
                await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).until(() -> ids.size() == JOBS
                        && ids.values().stream().allMatch(id -> c.job(id).path("state").asText().equals("SUCCEEDED")));
            } finally {
                submitter.shutdownNow();
            }
            for (int i = 0; i < JOBS; i++) {
                live.add(c.job(ids.get(i)));
            }
        }
        Instant t0 = at(live.get(0), "SUBMITTED");
        SimRecorder calibration = simulate(live, t0, 0);
        double[] overhead = IntStream.range(0, JOBS).mapToDouble(i -> runSec(live.get(i))
                - (calibration.jobs().get(i).endMs - calibration.jobs().get(i).firstStartMs) / 1000.0).sorted().toArray();
        double startup = overhead[JOBS / 2];
        assertThat(startup).as("per-attempt overhead of the live agents, s").isBetween(0.0, 5.0);
        SimRecorder sim = simulate(live, t0, startup);
        StringBuilder table = new StringBuilder("job  live JCT  sim JCT   error  placed live (ms)  started sim (ms)\n");
        double worst = 0;
        for (int i = 0; i < JOBS; i++) {
            double l = Duration.between(at(live.get(i), "SUBMITTED"), at(live.get(i), "SUCCEEDED")).toMillis() / 1000.0;
            double s = sim.jobs().get(i).jctSec();
            worst = Math.max(worst, Math.abs(s - l) / l);
            table.append(String.format(Locale.ROOT, "%3d  %8.2f  %7.2f  %+6.2f%%  %9d  %9d%n", i, l, s,
                    100 * (s - l) / l, Duration.between(t0, at(live.get(i), "PLACED")).toMillis(),
                    sim.jobs().get(i).firstStartMs));
        }
        System.out.printf(Locale.ROOT, "simulation fidelity: start-up overhead %.2f s (calibrated); worst JCT "
                + "error %.2f%%%n%s", startup, 100 * worst, table);
        assertThat(worst).as("worst relative JCT error\n" + table).isLessThan(0.05);
        List<String> swapped = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            for (int j = i + 1; j < JOBS; j++) {
                long live1 = Duration.between(t0, at(live.get(i), "PLACED")).toMillis();
                long live2 = Duration.between(t0, at(live.get(j), "PLACED")).toMillis();
                long sim1 = sim.jobs().get(i).firstStartMs;
                long sim2 = sim.jobs().get(j).firstStartMs;
                if (Math.abs(live1 - live2) > TIE_MS && Long.signum(live1 - live2) != Long.signum(sim1 - sim2)) {
                    swapped.add(i + " and " + j + " (live " + live1 + " and " + live2 + " ms, simulated " + sim1 + " and "
                            + sim2 + " ms)");
                }
            }
        }
        assertThat(swapped).as("jobs placed more than %d ms apart live start in the same order simulated", TIE_MS)
                .isEmpty();
    }

    /**
     * Starts closer than this on the live cluster are ties: two jobs freed by the same pass, or on
     * different nodes within the agents' start-up jitter. Regression: CI failed on jobs 9 and 14
     * (an H20 job and a 910B job) swapping places, though every JCT was within 5%.
     */
    private static final long TIE_MS = 1_000;

    /**
     * One short job per node first, measured by nobody: a machine's first worker start (cold page
     * cache, the scheduler's and agents' code not yet compiled) costs about a second more than
     * the later ones, which the one calibrated overhead cannot describe.
     */
    private static void warmUp(TestCluster c) {
        List<String> warm = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            warm.add(c.submit(spec(i, 5).replace("name: fidelity-", "name: warm-up-")
                    .replace("devicesPerShard: 2", "devicesPerShard: 4"))); // a whole node each
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> warm.stream()
                .allMatch(id -> c.job(id).path("state").asText().equals("SUCCEEDED")));
    }

    private static double runSec(JsonNode job) {
        return Duration.between(at(job, "PLACED"), at(job, "SUCCEEDED")).toMillis() / 1000.0;
    }

    private SimRecorder simulate(List<JsonNode> live, Instant t0, double startupSec) {
        ChipCatalog catalog = ChipCatalog.builtIn();
        JobSpecParser parser = new JobSpecParser(catalog);
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            long arrive = Duration.between(t0, at(live.get(i), "SUBMITTED")).toMillis();
            jobs.add(new SimJob(i, live.get(i).path("id").asText(), arrive,
                    parser.parse(spec(i, steps(i)).getBytes(StandardCharsets.UTF_8), "application/yaml"), "alice",
                    steps(i), null, 0, TIME_SCALE));
        }
        jobs.sort(Comparator.comparingLong(SimJob::arriveMs).thenComparingInt(SimJob::index));
        List<NodeView> nodes = List.of(node("h20-1", "nvidia-h20"), node("h20-2", "nvidia-h20"), node("npu-1", "ascend-910b"));
        Workload w = new Workload(jobs, List.of(), liveFailures(live, t0, startupSec),
                new Workload.Options(startupSec, 0, 30, 1, 0, Integer.MAX_VALUE, 0), 0,
                ElasticConfig.DEFAULT);
        SimRecorder rec = new Simulation(catalog, nodes, PlacementPolicy.DEFAULT, new StepModel(null), true, w,
                TestCluster.RESTART_BACKOFF).run(); // the live cluster's backoff, so a replayed failure costs what it did live
        List<SimRecorder.JobTrace> byIndex = new ArrayList<>(rec.jobs());
        byIndex.sort(Comparator.comparingInt(t -> t.job.index()));
        assertThat(byIndex).allMatch(SimRecorder.JobTrace::completed);
        return rec;
    }

    /**
     * The live run's worker failures, told to the simulator as injected faults, as outages would
     * be: the simulator cannot foresee a worker that dies, and the restart it causes reorders the
     * queue. Each fault lands when the simulated attempt has started (its calibrated start-up
     * after the live failure's time), since a fault before the start is ignored. Regression: in
     * CI an example worker exited 1 right after starting, the job lost its turn, and the JCTs
     * diverged by up to 22.6%; its failure message is printed here.
     */
    private static List<Workload.Timed> liveFailures(List<JsonNode> live, Instant t0, double startupSec) {
        List<Workload.Timed> out = new ArrayList<>();
        for (JsonNode job : live) {
            for (JsonNode e : job.path("events")) {
                if (e.path("type").asText().equals("SHARD_FAILED")) {
                    long at = Duration.between(t0, Instant.parse(e.path("at").asText())).toMillis()
                            + Math.round(startupSec * 1000) + 50;
                    System.out.printf(Locale.ROOT, "simulation fidelity: live worker failure of %s at %d ms, "
                            + "replayed: %s%n", job.path("id").asText(), at, e.path("message").asText());
                    out.add(new Workload.Timed(at, new SimEvent.ShardFault(job.path("id").asText(), 0)));
                }
            }
        }
        return out;
    }

    private static NodeView node(String name, String chip) {
        return new NodeView(name, "127.0.0.1", Map.of("zone", "test"), Map.of(chip, List.of(0, 1, 2, 3)));
    }
}
