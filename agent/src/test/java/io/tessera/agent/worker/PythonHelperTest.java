package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker helper ({@code import tessera}): its own Python tests, run by the system's python3,
 * and a real worker that imports it without installing anything and whose metrics the agent reads.
 * Needs python3 (CI installs Debian's python3-torch, which brings it).
 */
class PythonHelperTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;

    private static void requirePython() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/python3"));
        if (System.getenv("TESSERA_REQUIRE_TORCH") == null) {
            Assumptions.assumeTrue(present, "python3 is not installed");
        }
        assertThat(present).as("/usr/bin/python3").isTrue();
    }

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    void theHelpersOwnTestsPass() throws Exception {
        requirePython();
        Path log = dir.resolve("unittest.log");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "unittest", "-v", "test_tessera")
                .directory(Path.of("src/test/python").toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PYTHONPATH", Path.of("src/main/python").toAbsolutePath().toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK");
    }

    @Test
    void aWorkerImportsTheHelperAndTheAgentReadsItsMetrics() {
        requirePython();
        supervisor = new WorkerSupervisor(dir.resolve("agent"));
        ShardAssignment a = ShardAssignment.builder("job-py", 0).jobName("py").gang(1, 0, 1).attempt(1)
                .command(List.of("/usr/bin/python3", "-c", "import tessera, time; tessera.report(3, total=9, loss=1.25, "
                        + "accuracy=0.5); time.sleep(30)"), Map.of("PYTHONPATH", "/opt/own"))
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES").batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).build();
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));

        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.reports().stream()
                .anyMatch(r -> !r.metrics().isEmpty()));
        ShardReport r = supervisor.reports().get(0);
        assertThat(r.phase()).isEqualTo(ShardPhase.RUNNING);
        assertThat(r.step()).isEqualTo(3L);
        assertThat(r.totalSteps()).isEqualTo(9L);
        assertThat(r.metrics()).containsEntry("loss", 1.25).containsEntry("accuracy", 0.5);
    }

    /**
     * A real tqdm bar, the one Hugging Face Trainer and PyTorch Lightning draw their progress with
     * (Debian's python3-tqdm), is read as the shard's progress: tqdm redraws one line with carriage
     * returns on stderr, and the agent takes each redraw as a line.
     */
    @Test
    void aRealTqdmBarIsReadAsTheShardsProgress() {
        requirePython();
        boolean tqdm = run("/usr/bin/python3", "-c", "import tqdm");
        if (System.getenv("TESSERA_REQUIRE_TORCH") == null) {
            Assumptions.assumeTrue(tqdm, "python3-tqdm is not installed");
        }
        assertThat(tqdm).as("import tqdm (Debian's python3-tqdm)").isTrue();
        supervisor = new WorkerSupervisor(dir.resolve("agent"));
        ShardAssignment a = ShardAssignment.builder("job-bar", 0).jobName("bar").gang(1, 0, 1).attempt(1)
                .command(List.of("/usr/bin/python3", "-c", "import time\nfrom tqdm import tqdm\nbar = tqdm(range(400))\n"
                        + "for i in bar:\n    bar.set_postfix(loss=round(4 - i / 100, 2))\n    time.sleep(0.05)\n"
                        + "time.sleep(30)"), Map.of())
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES").batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29501, null).build();
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));

        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.reports().stream()
                .anyMatch(r -> r.step() != null && r.step() >= 10));
        ShardReport r = supervisor.reports().get(0);
        assertThat(r.totalSteps()).isEqualTo(400L);
        assertThat(r.metrics()).containsKey("loss");
        assertThat(r.metrics().get("loss")).as("set_postfix(loss=...) as Lightning shows it").isBetween(0.0, 4.0);
        long first = r.step();
        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.reports().get(0).step() > first);
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
