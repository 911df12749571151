package io.tessera.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.config.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera simulate} as a user runs it: a golden summary for a fixed seed, the same run twice
 * giving the same jobs, the sweep, and bad input failing with exit 2 and the file and field named.
 */
class SimulateCommandTest {
    static final String CLUSTER = "../examples/simulate/gavel/cluster.yaml";
    static final String CATALOG = "../examples/simulate/gavel/catalog.yaml";
    static final String TABLE = "src/test/resources/sim/gavel-excerpt.json";
    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private CliRun simulate(Path workload, String... more) {
        List<String> args = new ArrayList<>(List.of("simulate", "--cluster", CLUSTER, "--catalog", CATALOG,
                "--throughputs", TABLE, "--workload", workload.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** Loaded enough that jobs queue, with checkpoints, so placement, queueing and migration all shape the figures. */
    static final String GAVEL = "seed: 7\noptions: {referenceChip: nvidia-v100, checkpointEverySec: 360}\n"
            + "window: {from: 50, to: 250}\ngavel: {jobs: 300, jobsPerHour: 6}\n";

    @Test
    void aFixedSeedGivesTheGoldenSummary() throws Exception {
        CliRun r = simulate(file("gavel.yaml", GAVEL), "--out", dir.resolve("out").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        ObjectNode got = (ObjectNode) Documents.parseJson(Files.readAllBytes(dir.resolve("out/summary.json")));
        got.remove("wallSec");
        JsonNode golden = Documents.parseJson(Files.readAllBytes(Path.of("src/test/resources/sim/golden-summary.json")));
        assertThat(got).isEqualTo(golden);
        assertThat(Files.readAllLines(dir.resolve("out/jobs.csv"))).hasSize(301);
        assertThat(Files.readString(dir.resolve("out/report.html"))).contains("<svg", "JCT CDF", "Queue length",
                "Utilization per vendor", "Share of normalized TFLOPS held");
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() throws Exception {
        Path w = file("gavel.yaml", GAVEL);
        simulate(w, "--out", dir.resolve("a").toString());
        simulate(w, "--out", dir.resolve("b").toString());
        simulate(w, "--seed", "8", "--out", dir.resolve("c").toString());
        String a = Files.readString(dir.resolve("a/jobs.csv"));
        assertThat(Files.readString(dir.resolve("b/jobs.csv"))).isEqualTo(a);
        assertThat(Files.readString(dir.resolve("c/jobs.csv"))).isNotEqualTo(a);
    }

    @Test
    void theSweepRunsBothPoliciesAtEachRate() throws Exception {
        Path w = file("gavel.yaml", "seed: 3\noptions: {referenceChip: nvidia-v100}\ngavel: {jobs: 120, jobsPerHour: 1}\n");
        CliRun r = CliRun.of("simulate", "sweep", "--cluster", CLUSTER, "--catalog", CATALOG, "--throughputs", TABLE,
                "--workload", w.toString(), "--rates", "1,2", "--out", dir.resolve("sweep").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode rows = Documents.parseJson(Files.readAllBytes(dir.resolve("sweep/sweep.json")));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("jobsPerHour").asDouble()).isEqualTo(2.0);
        assertThat(rows.get(1).get("aware").get("avgJctSec").asDouble()).isPositive();
        assertThat(rows.get(1).get("agnostic").get("policy").asText()).isEqualTo("agnostic");
        assertThat(Files.readString(dir.resolve("sweep/sweep.html"))).contains("<svg", "Average JCT against input job rate");
        assertThat(dir.resolve("sweep/2-agnostic/report.html")).exists();
    }

    @Test
    void anUnknownChipInTheClusterIsNamed() throws Exception {
        Path cluster = file("cluster.yaml", "nodes:\n  - {namePrefix: x-, count: 2, chipType: nvidia-k81, devices: 4}\n");
        CliRun r = CliRun.of("simulate", "--cluster", cluster.toString(), "--catalog", CATALOG, "--throughputs", TABLE,
                "--workload", file("w.yaml", GAVEL).toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cluster.yaml: nodes[0].chipType", "unknown chip type");
    }

    @Test
    void aJobClassMissingFromTheThroughputFileIsNamed() throws Exception {
        CliRun r = simulate(file("w.yaml", "jobs:\n  - {class: \"ResNet-152 (batch size 8)\", durationSec: 60}\n"),
                "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("w.yaml: jobs[0].class", "'ResNet-152 (batch size 8)' is missing from the throughput "
                + "file gavel-excerpt.json");
    }

    @Test
    void aNegativeRateIsNamed() throws Exception {
        CliRun r = simulate(file("w.yaml", "gavel: {jobs: 10, jobsPerHour: -2}\n"), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("w.yaml: gavel.jobsPerHour");
        CliRun sweep = CliRun.of("simulate", "sweep", "--cluster", CLUSTER, "--catalog", CATALOG, "--throughputs", TABLE,
                "--workload", file("w2.yaml", GAVEL).toString(), "--rates", "1,-3", "--out", dir.resolve("s").toString());
        assertThat(sweep.exit()).isEqualTo(2);
        assertThat(sweep.err()).contains("--rates", "-3");
    }

    @Test
    void anEmptyTraceIsNamed() throws Exception {
        file("empty.csv", "timestamp,duration,num_gpus,gpu_time,cluster\n");
        CliRun r = simulate(file("w.yaml", "philly: {file: empty.csv}\n"), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("w.yaml: philly", "empty.csv", "has no job left");
    }

    @Test
    void aThroughputFileThatIsNotOneIsNamed() throws Exception {
        Path bad = file("tp.json", "{\"v100\": {\"ResNet-50\": {\"null\": 3}}}");
        CliRun r = CliRun.of("simulate", "--cluster", CLUSTER, "--catalog", CATALOG, "--throughputs", bad.toString(),
                "--workload", file("w.yaml", GAVEL).toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("tp.json: v100.ResNet-50", "expected a key like");
    }
}
