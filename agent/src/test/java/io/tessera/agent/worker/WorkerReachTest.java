package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whose fault a shard that never ran is, under per-job uids: a file the job's own command names
 * that its user cannot reach is the spec's (REFUSED, no restart spent, the directory and the fix
 * named); Tessera's own directories or launcher failing is the node's (FAILED_TO_START, which
 * the scheduler never charges to the job). Needs root (CI runs as root).
 */
class WorkerReachTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;
    private Path work;

    @BeforeEach
    void rootAgent() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "per-job uids need root (CI runs as root)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        work = dir.resolve("agent");
        SafeFiles.checkWorkDir(work);
        supervisor = new WorkerSupervisor(work, d -> Optional.empty(), code -> { }, WorkerIdentity.perJob(200000, 299999),
                WorkerLauncher.detect(null));
    }

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    private static ShardAssignment job(String id, List<String> argv, String checkpointDir) {
        return ShardAssignment.builder(id, 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(argv, Map.of()).checkpoints(checkpointDir, null)
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).build();
    }

    private ShardReport reportOnceEnded(String job) {
        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.reports().stream()
                .anyMatch(r -> r.jobId().equals(job) && r.phase().terminal()));
        return supervisor.reports().stream().filter(r -> r.jobId().equals(job)).findFirst().orElseThrow();
    }

    /** Regression: the demo's worker script in a 0700 clone failed each attempt with "cannot open", spending restarts. */
    @Test
    void aScriptTheJobsUserCannotReachIsRefusedNamingTheDirectoryThatStopsIt() throws Exception {
        Path clone = Files.createDirectory(dir.resolve("clone"));
        Files.setPosixFilePermissions(clone, PosixFilePermissions.fromString("rwx------"));
        Path script = Files.writeString(clone.resolve("train.sh"), "echo trained\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-unreachable", List.of("/bin/sh", script.toString()), null))));
        ShardReport r = reportOnceEnded("job-unreachable");

        assertThat(r.phase()).isEqualTo(ShardPhase.REFUSED);
        assertThat(r.message()).contains("cannot reach " + script).contains(clone.toRealPath() + " (mode 0700")
                .contains("chmod o+x " + clone.toRealPath());
        assertThat(r.pid()).as("nothing was started").isNull();
    }

    /** Regression: a launcher that could not read its environment file was charged to the job as its exit code. */
    @Test
    void aLauncherThatCannotReadItsEnvironmentIsTheNodesFaultNotTheJobs() throws Exception {
        Path checkpoints = Files.createDirectories(Path.of("/tmp").resolve("tessera-reach-" + ProcessHandle.current().pid()));
        Files.setPosixFilePermissions(checkpoints, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // the work dir became unreachable
            supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-launcher",
                    List.of("sh", "-c", "echo ran"), checkpoints.resolve("job-launcher").toString()))));
            ShardReport r = reportOnceEnded("job-launcher");

            assertThat(r.phase()).isEqualTo(ShardPhase.FAILED_TO_START);
            assertThat(r.message()).contains("launcher could not read the worker's environment file");
            assertThat(r.exitCode()).as("the job's command never ran, so it has no exit code").isNull();
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            try (var tree = Files.walk(checkpoints)) {
                tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theAgentsOwnCheckpointDirectoryOutOfReachIsTheNodesFault() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try {
            supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-default", List.of("sh", "-c", "echo ran"), null))));
            ShardReport r = reportOnceEnded("job-default");

            assertThat(r.phase()).isEqualTo(ShardPhase.FAILED_TO_START);
            assertThat(r.message()).contains("agent's checkpoint directory");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
    }
}
