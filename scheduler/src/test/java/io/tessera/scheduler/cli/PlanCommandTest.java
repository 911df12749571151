package io.tessera.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.config.Documents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera plan} on the shipped what-if examples and on broken files. */
class PlanCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void addingH20sRaisesPredictedThroughput() {
        CliRun base = run("plan", "--cluster", "../examples/plan/cluster.yaml", "--job", "../examples/plan/job-7b.yaml", "--json");
        CliRun more = run("plan", "--cluster", "../examples/plan/cluster-plus-64-h20.yaml", "--job",
                "../examples/plan/job-7b.yaml", "--json");
        assertThat(base.exit()).isZero();
        assertThat(more.exit()).isZero();
        JsonNode a = Documents.parseJson(base.out().getBytes(StandardCharsets.UTF_8));
        JsonNode b = Documents.parseJson(more.out().getBytes(StandardCharsets.UTF_8));
        assertThat(b.get("predictedSamplesPerSec").asDouble()).isGreaterThan(a.get("predictedSamplesPerSec").asDouble());
        assertThat(a.get("vendorShares").get("huawei").asDouble()).isLessThanOrEqualTo(0.6 + 1e-9);
        assertThat(a.get("chips").findValuesAsText("chipType")).contains("acme-tpx1", "nvidia-h100");
    }

    @Test
    void printsATableByDefault() {
        CliRun r = run("plan", "--cluster", "../examples/plan/cluster.yaml", "--job", "../examples/plan/job-7b.yaml");
        assertThat(r.out()).contains("samples/s", "CHIP TYPE", "ascend-910b", "insufficient_devices");
    }

    @Test
    void badFilesGiveFieldErrorsAndExit2(@TempDir Path dir) throws Exception {
        Path cluster = dir.resolve("c.yaml");
        Files.writeString(cluster, "nodes:\n  - {namePrefix: x-, count: 2, chipType: nvidia-b999, devices: 8, free: 9}\n");
        CliRun r = run("plan", "--cluster", cluster.toString(), "--job", "../examples/plan/job-7b.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nodes[0].chipType", "nodes[0].free");
    }

    @Test
    void aJobThatDoesNotFitExits1WithTheReason(@TempDir Path dir) throws Exception {
        Path cluster = dir.resolve("c.yaml");
        Files.writeString(cluster, "nodes:\n  - {name: one, chipType: nvidia-h20, devices: 8}\n");
        CliRun r = run("plan", "--cluster", cluster.toString(), "--job", "../examples/plan/job-7b.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("no placement", "at least 8 shards");
    }
}
