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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint directories under per-job uids (a root agent, as in production): each job gets
 * {@code checkpointDir/<job>} of its own, a resumed job is handed the earlier job's directory,
 * and a directory the job's user cannot write is refused before launch.
 */
class CheckpointDirTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;

    @BeforeEach
    void rootAgent() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "per-job uids need root (CI runs as root)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = dir.resolve("agent");
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

    private static ShardAssignment job(String id, int device, Path checkpoints, String resumes, String script) {
        return ShardAssignment.builder(id, 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", script), Map.of())
                .devices(List.of(device), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).checkpoints(checkpoints.toString(), resumes).build();
    }

    private ShardReport report(String job) {
        return supervisor.reports().stream().filter(r -> r.jobId().equals(job)).findFirst().orElseThrow();
    }

    /** Regression: a second job of the same user under one checkpointDir could not create its directory there. */
    @Test
    void jobsOfOneCheckpointDirEachGetTheirOwnAndAResumedJobIsHandedTheEarlierOne() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Path base = shared.resolve("llm");
        String write = "echo step-10 > \"$TESSERA_CHECKPOINT_DIR/ckpt\"";
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-one", 0, base.resolve("job-one"), null, write))));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-one").phase() == ShardPhase.EXITED);
        int one = SafeFiles.uidOf(base.resolve("job-one"));

        ShardAssignment fresh = job("job-two", 1, base.resolve("job-two"), null, write);
        ShardAssignment resumed = job("job-three", 2, base.resolve("job-one"), "job-one",
                "cat \"$TESSERA_CHECKPOINT_DIR/ckpt\" && echo step-20 > \"$TESSERA_CHECKPOINT_DIR/ckpt\"");
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(fresh, resumed)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-two").phase() == ShardPhase.EXITED
                && report("job-three").phase() == ShardPhase.EXITED);
        assertThat(report("job-two").exitCode()).isZero();
        assertThat(SafeFiles.uidOf(base.resolve("job-two"))).isBetween(200000, 299999).isNotEqualTo(one);
        assertThat(report("job-three").exitCode()).isZero();
        assertThat(Files.readString(supervisor.logFile("job-three", 0, 1))).contains("step-10");
        assertThat(SafeFiles.uidOf(base.resolve("job-one/ckpt"))).isNotEqualTo(one);
        assertThat(Files.readString(base.resolve("job-one/ckpt"))).contains("step-20");
    }

    @Test
    void anotherJobsDirectoryIsRefusedUnlessTheSchedulerSaysItIsResumed() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-one", 0, shared.resolve("job-one"), null, "true"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-one").phase() == ShardPhase.EXITED);
        ShardAssignment thief = job("job-two", 1, shared.resolve("job-one"), "job-other", "true");
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(thief)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-two").phase() == ShardPhase.REFUSED);
        assertThat(report("job-two").message()).contains("belongs to another job");
    }

    /** Regression: an unwritable checkpoint directory was found only by the worker, and each restart failed alike. */
    @Test
    void aDirectoryTheJobsUserCannotWriteIsRefusedBeforeLaunch() throws Exception {
        Path rootOwned = Files.createDirectory(dir.resolve("root-owned"));
        Files.setPosixFilePermissions(rootOwned, PosixFilePermissions.fromString("rwxr-xr-x"));
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-ro", 0, rootOwned, null, "touch started"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-ro").phase() == ShardPhase.REFUSED);
        assertThat(report("job-ro").message()).contains("cannot write its checkpoint directory " + rootOwned);
        assertThat(report("job-ro").pid()).isNull();
    }

    /**
     * Regression (issue 27, N6): a checkpointDir reached through a planted link was created inside
     * another user's tree; the scheduler compares paths as spelled, so only the node can see this.
     */
    @Test
    void aDirectoryReachedThroughALinkIsRefusedAndNothingIsCreatedWhereItPoints() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Path victim = Files.createDirectory(shared.resolve("alice"));
        Files.createSymbolicLink(shared.resolve("mallory"), victim);
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-m", 0, shared.resolve("mallory/ckpt"), null, "true"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-m").phase() == ShardPhase.REFUSED);
        assertThat(report("job-m").message()).contains("symbolic link").contains(victim.toString());
        assertThat(victim.resolve("ckpt")).doesNotExist();
    }
}
