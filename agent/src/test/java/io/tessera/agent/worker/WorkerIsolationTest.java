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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root agent with per-job uids, as in production: a job's loader variables never reach a
 * privileged process, and one job cannot read another's environment, logs or checkpoints, nor
 * signal its processes. Needs root (CI runs as root) and a C compiler for the preload library.
 */
class WorkerIsolationTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;
    private Path work;

    @BeforeEach
    void rootAgent() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "per-job uids need root (CI runs as root)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
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

    private static ShardAssignment job(String id, List<String> argv, Map<String, String> env) {
        return ShardAssignment.builder(id, 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(argv, env)
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).build();
    }

    private ShardReport report(String job) {
        return supervisor.reports().stream().filter(r -> r.jobId().equals(job)).findFirst().orElseThrow();
    }

    @Test
    void aJobsLdPreloadIsOnlyEverLoadedByItsOwnUnprivilegedProcesses() throws Exception {
        Path src = dir.resolve("evil.c");
        Path lib = dir.resolve("evil.so");
        Path seen = Files.createDirectories(dir.resolve("seen"));
        Files.setPosixFilePermissions(seen, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(src, "#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void hit(void) {\n"
                + "  char p[512]; snprintf(p, sizeof p, \"" + seen + "/%d\", (int) getpid());\n"
                + "  FILE *f = fopen(p, \"w\"); if (f) { fprintf(f, \"%d %d\\n\", (int) getuid(), (int) geteuid()); fclose(f); }\n}\n");
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", lib.toString(), src.toString()).inheritIO().start();
        assertThat(cc.waitFor()).as("cc builds the preload library").isZero();
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));

        supervisor.reconcile(new AssignmentSet("n", 1, List.of(job("job-preload", List.of("sh", "-c", "id -u"),
                Map.of("LD_PRELOAD", lib.toString())))));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-preload").phase() == ShardPhase.EXITED);

        String uid = Files.readString(supervisor.logFile("job-preload", 0)).lines().filter(l -> l.matches("\\d+"))
                .findFirst().orElseThrow();
        assertThat(Integer.parseInt(uid)).isBetween(200000, 299999);
        List<String> loads = new ArrayList<>();
        try (var files = Files.list(seen)) {
            for (Path f : files.toList()) {
                loads.add(Files.readString(f).strip());
            }
        }
        assertThat(loads).as("the library was loaded by the worker").isNotEmpty()
                .allSatisfy(l -> assertThat(l).as("no root process loaded it").isEqualTo(uid + " " + uid));
    }

    @Test
    void oneJobCannotReadAnothersEnvironmentLogsOrCheckpointsNorSignalIt() throws Exception {
        ShardAssignment alice = job("job-alice", List.of("sh", "-c", "echo alice-log-line; echo weights > "
                + "\"$TESSERA_CHECKPOINT_DIR/ckpt\"; exec sleep 300"), Map.of("ALICE_SECRET", "s3cr3t-alice"));
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(alice)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-alice").phase() == ShardPhase.RUNNING
                && Files.readString(supervisor.logFile("job-alice", 0)).contains("alice-log-line"));
        ProcessHandle launcher = ProcessHandle.of(report("job-alice").pid()).orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> sleeper(launcher).isPresent());
        long alicePid = sleeper(launcher).orElseThrow().pid();
        Path aliceCkpt = work.resolve("checkpoints/job-alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(aliceCkpt.resolve("ckpt")));

        String probe = String.join("; ",
                "echo uid=$(id -u)",
                "grep -E '^(NoNewPrivs|CapBnd|CapEff)' /proc/self/status",
                "cat /proc/" + alicePid + "/environ 2>&1 | tr '\\0' ' '; echo environ-done",
                "cat " + supervisor.logFile("job-alice", 0) + " 2>&1; echo log-done",
                "ls " + aliceCkpt + " 2>&1; cat " + aliceCkpt.resolve("ckpt") + " 2>&1; echo ckpt-done",
                "kill -9 " + alicePid + " 2>&1; echo kill-rc=$?");
        ShardAssignment bob = job("job-bob", List.of("sh", "-c", probe), Map.of());
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(alice, bob)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-bob").phase() == ShardPhase.EXITED);

        String out = Files.readString(supervisor.logFile("job-bob", 0));
        assertThat(out).contains("NoNewPrivs:\t1", "CapBnd:\t0000000000000000", "CapEff:\t0000000000000000", "kill-rc=1")
                .doesNotContain("s3cr3t-alice", "alice-log-line", "weights", "uid=0");
        assertThat(ProcessHandle.of(alicePid).map(ProcessHandle::isAlive)).as("alice's worker survives").contains(true);
        assertThat(report("job-alice").phase()).isEqualTo(ShardPhase.RUNNING);
        int aliceUid = SafeFiles.uidOf(aliceCkpt);
        assertThat(out).doesNotContain("uid=" + aliceUid);
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(aliceCkpt, "unix:mode") & 0777)).isEqualTo("700");
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(supervisor.logFile("job-alice", 0), "unix:mode") & 0777))
                .isEqualTo("600");
    }

    @Test
    void aCheckpointDirectoryOfAnotherJobIsRefused() throws Exception {
        ShardAssignment first = job("job-one", List.of("sh", "-c", "exec sleep 300"), Map.of());
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(first)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-one").phase() == ShardPhase.RUNNING);
        Path taken = work.resolve("checkpoints/job-one");
        ShardAssignment thief = ShardAssignment.builder("job-two", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("true"), Map.of())
                .devices(List.of(1), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).checkpoints(taken.toString(), null).build();
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(first, thief)));
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-two").phase() == ShardPhase.REFUSED);
        assertThat(report("job-two").message()).contains("belongs to another job");
    }

    @Test
    void aJobCannotMakeTheRootAgentCreateItsCheckpointDirectoryWhereTheJobCouldNot() throws Exception {
        Path rootOnly = Files.createDirectory(dir.resolve("etc-like"));
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dropIn = rootOnly.resolve("evil.service.d");
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        ShardAssignment evil = ShardAssignment.builder("job-evil", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("true"), Map.of())
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).checkpoints(dropIn.toString(), null).build();
        ShardAssignment fine = ShardAssignment.builder("job-fine", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("true"), Map.of())
                .devices(List.of(1), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).checkpoints(shared.resolve("fine/ckpt").toString(), null).build();
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(evil, fine)));
        // refused, not merely failed: the job's spec is at fault, so the scheduler spends no restart on it
        await().atMost(Duration.ofSeconds(20)).until(() -> report("job-evil").phase() == ShardPhase.REFUSED
                && report("job-fine").phase() == ShardPhase.EXITED);
        assertThat(report("job-evil").message()).contains("cannot create its checkpointDir");
        assertThat(dropIn).doesNotExist();
        assertThat(SafeFiles.uidOf(shared.resolve("fine/ckpt"))).isBetween(200000, 299999);
    }

    private static Optional<ProcessHandle> sleeper(ProcessHandle launcher) {
        return launcher.descendants().filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false)).findFirst();
    }
}
