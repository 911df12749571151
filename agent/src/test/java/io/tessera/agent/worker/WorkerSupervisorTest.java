package io.tessera.agent.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes under the supervisor. */
class WorkerSupervisorTest {
    @TempDir
    Path dir;
    private WorkerSupervisor supervisor;

    @AfterEach
    void stop() {
        supervisor.close();
    }

    private ShardAssignment shard(String job, int shard, int attempt, List<String> argv, List<Integer> devices,
                                         String visibility) {
        return ShardAssignment.builder(job, shard).jobName("test").gang(2, shard, 2).attempt(attempt)
                .command(argv, Map.of("USER_VAR", "x y"))
                .devices(devices, "nvidia-h20", visibility.startsWith("ASCEND") ? "huawei" : "nvidia", visibility)
                .batch("bf16", 12, 2, 48, 33.5)
                .rendezvous("10.1.2.3", 29555, null).checkpoints(ckpt(job), null).build();
    }

    private String ckpt(String job) {
        try {
            return Files.createDirectories(dir.resolve("ckpt")).resolve(job).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ShardReport report(String job, int shard) {
        return supervisor.reports().stream().filter(r -> r.jobId().equals(job) && r.shard() == shard).findFirst()
                .orElseThrow();
    }

    @Test
    void runsTheWorkerUnderTheEnvironmentContractAndLogsItsOutput() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        ShardAssignment a = shard("job-a", 1, 1, List.of("sh", "-c", "env; echo TESSERA_PROGRESS step=7 total=9"),
                List.of(4, 5), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-a", 1).phase() == ShardPhase.EXITED);
        ShardReport r = report("job-a", 1);
        assertThat(r.exitCode()).isZero();
        assertThat(r.step()).isEqualTo(7);
        assertThat(r.totalSteps()).isEqualTo(9);
        String log = Files.readString(supervisor.logFile("job-a", 1));
        assertThat(log).contains("CUDA_VISIBLE_DEVICES=4,5", "RANK=1", "WORLD_SIZE=2", "LOCAL_RANK=1",
                "LOCAL_WORLD_SIZE=2", "MASTER_ADDR=10.1.2.3", "MASTER_PORT=29555", "TESSERA_JOB_ID=job-a",
                "TESSERA_SHARD=1", "TESSERA_CHIP_TYPE=nvidia-h20", "TESSERA_PRECISION=bf16", "TESSERA_MICRO_BATCH=12",
                "TESSERA_GRAD_ACCUMULATION=2", "TESSERA_GLOBAL_BATCH=48", "TESSERA_CHECKPOINT_DIR=" + dir.resolve("ckpt/job-a"),
                "USER_VAR=x y");
    }

    @Test
    void reportsTheNewestCheckpointEvenAfterItScrollsOutOfTheTail() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        Path go = dir.resolve("go");
        ShardAssignment a = shard("job-k", 0, 1, List.of("sh", "-c", "echo TESSERA_CHECKPOINT step=40; echo TESSERA_CHECKPOINT "
                + "step=50; echo TESSERA_PROGRESS step=51 total=99; while [ ! -e " + go + " ]; do sleep 0.05; done; "
                + "i=0; while [ $i -lt 400 ]; do echo 'TESSERA_PROGRESS step=52 total=99 padding padding padding padding "
                + "padding padding padding padding padding'; i=$((i+1)); done; sleep 300"), List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(50).equals(report("job-k", 0).checkpointStep()));
        assertThat(report("job-k", 0).step()).isEqualTo(51);
        Files.createFile(go); // 400 long lines push the checkpoint lines out of the 16 KiB tail
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(supervisor.logFile("job-k", 0)) > 40_000);
        assertThat(report("job-k", 0).step()).isEqualTo(52);
        assertThat(report("job-k", 0).checkpointStep()).isEqualTo(50);
        supervisor.reconcile(new AssignmentSet("n", 2, List.of()));
    }

    @Test
    void usesTheVendorsOwnVisibilityVariable() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(
                shard("job-b", 0, 1, List.of("sh", "-c", "env"), List.of(6, 7), "ASCEND_RT_VISIBLE_DEVICES"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-b", 0).phase() == ShardPhase.EXITED);
        String log = Files.readString(supervisor.logFile("job-b", 0));
        assertThat(log).contains("ASCEND_RT_VISIBLE_DEVICES=6,7").doesNotContain("CUDA_VISIBLE_DEVICES=6,7");
    }

    @Test
    void aPreemptedWorkerGetsSigtermAndItsGraceToCheckpointBeforeItEnds() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        Path marker = dir.resolve("checkpointed");
        // On SIGTERM: write a checkpoint line and a marker, then exit 0 (as a training worker would).
        String script = "trap 'echo TESSERA_CHECKPOINT step=7; touch " + marker
                + "; exit 0' TERM; echo started; while true; do sleep 0.1; done";
        ShardAssignment a = shard("job-p", 0, 1, List.of("sh", "-c", script), List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-p", 0).phase() == ShardPhase.RUNNING
                && Files.readString(supervisor.logFile("job-p", 0)).contains("started"));
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(a.withStopGrace(30_000))));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-p", 0).phase() == ShardPhase.EXITED);
        assertThat(marker).exists();
        assertThat(report("job-p", 0).exitCode()).isZero();
        assertThat(report("job-p", 0).checkpointStep()).isEqualTo(7L);
        // A stopped shard that is still listed with its stop request is not started again.
        supervisor.reconcile(new AssignmentSet("n", 3, List.of(a.withStopGrace(30_000))));
        assertThat(supervisor.reports()).hasSize(1);
    }

    @Test
    void unassigningKillsTheWholeProcessTree() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        Path pidFile = dir.resolve("child.pid");
        ShardAssignment a = shard("job-c", 0, 1, List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait"),
                List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
        long child = Long.parseLong(Files.readString(pidFile).trim());
        long parent = report("job-c", 0).pid();
        assertThat(ProcessHandle.of(child)).map(ProcessHandle::isAlive).hasValue(true);

        supervisor.reconcile(new AssignmentSet("n", 2, List.of()));
        await().atMost(Duration.ofSeconds(15)).until(() -> !alive(parent) && !alive(child));
        await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.reports().isEmpty()
                || supervisor.reports().get(0).phase() == ShardPhase.KILLED);
    }

    @Test
    void aMissingExecutableIsTheSpecsFaultReportedNotThrown() {
        supervisor = new WorkerSupervisor(dir);
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(
                shard("job-d", 0, 1, List.of("/nonexistent/trainer"), List.of(0), "CUDA_VISIBLE_DEVICES"))));
        ShardReport r = report("job-d", 0);
        assertThat(r.phase()).as("the job's command is not there: every attempt would fail alike").isEqualTo(ShardPhase.REFUSED);
        assertThat(r.message()).contains("/nonexistent/trainer");
    }

    @Test
    void aNewAttemptReplacesTheOldOneAndFinishedWorkersAreNotRelaunched() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        ShardAssignment first = shard("job-e", 0, 1, List.of("sleep", "300"), List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(first)));
        long oldPid = report("job-e", 0).pid();
        ShardAssignment second = shard("job-e", 0, 2, List.of("sh", "-c", "exit 0"), List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(second)));
        await().atMost(Duration.ofSeconds(15)).until(() -> !alive(oldPid));
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.reports().stream()
                .anyMatch(r -> r.attempt() == 2 && r.phase() == ShardPhase.EXITED));
        long pid = supervisor.reports().stream().filter(r -> r.attempt() == 2).findFirst().orElseThrow().pid();
        supervisor.reconcile(new AssignmentSet("n", 3, List.of(second)));
        assertThat(supervisor.reports()).filteredOn(r -> r.attempt() == 2).singleElement()
                .satisfies(r -> assertThat(r.pid()).isEqualTo(pid));
    }

    @Test
    void aVersionThatGoesBackKeepsRunningWorkers() {
        supervisor = new WorkerSupervisor(dir);
        ShardAssignment a = shard("job-f", 0, 1, List.of("sleep", "300"), List.of(0), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 5, List.of(a)));
        long pid = report("job-f", 0).pid();
        // A scheduler that restarted without state answers version 0 with nothing in it.
        supervisor.reconcile(new AssignmentSet("n", 0, List.of()));
        assertThat(alive(pid)).isTrue();
        assertThat(report("job-f", 0).phase()).isEqualTo(ShardPhase.RUNNING);
    }

    @Test
    void aWorkerRestartedInPlaceRunsAgainAtTheSameAttemptWhileItsPeerKeepsItsProcess() throws Exception {
        supervisor = new WorkerSupervisor(dir);
        // Shard 0 fails once (it has no marker yet), then runs; shard 1 runs throughout.
        Path marker = dir.resolve("ran-once");
        List<String> flaky = List.of("sh", "-c", "echo incarnation=$TESSERA_INCARNATION generation=$TESSERA_GANG_GENERATION; "
                + "cat \"$TESSERA_GANG_FILE\"; echo; if [ -e " + marker + " ]; then exec sleep 300; fi; touch " + marker
                + "; exit 3");
        ShardAssignment s0 = shard("job-r", 0, 1, flaky, List.of(0), "CUDA_VISIBLE_DEVICES");
        ShardAssignment s1 = shard("job-r", 1, 1, List.of("sleep", "300"), List.of(1), "CUDA_VISIBLE_DEVICES");
        supervisor.reconcile(new AssignmentSet("n", 1, List.of(s0, s1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-r", 0).phase() == ShardPhase.EXITED);
        assertThat(report("job-r", 0).exitCode()).isEqualTo(3);
        assertThat(report("job-r", 0).incarnation()).as("the first incarnation is left off the wire").isNull();
        long peer = report("job-r", 1).pid();

        // The scheduler took the process rung: shard 0 at incarnation 1, the gang at generation 1.
        supervisor.reconcile(new AssignmentSet("n", 2, List.of(s0.withIncarnation(1, 1), s1.withIncarnation(0, 1))));
        await().atMost(Duration.ofSeconds(10)).until(() -> report("job-r", 0).phase() == ShardPhase.RUNNING);
        ShardReport again = report("job-r", 0);
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(again.incarnation()).isEqualTo(1);
        assertThat(supervisor.reports()).filteredOn(r -> r.shard() == 0).hasSize(1);
        assertThat(report("job-r", 1).pid()).as("the peer keeps its process").isEqualTo(peer);
        assertThat(alive(peer)).isTrue();
        Path log = supervisor.logFile("job-r", 0, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("incarnation=1"));
        assertThat(Files.readString(log)).as("one log per attempt, appended across incarnations")
                .contains("incarnation=0 generation=0", "incarnation=1 generation=1", "\"generation\":1");
        // The peer learns the new generation from its gang file, which the agent rewrote.
        Path gang = dir.resolve("jobs/job-r/.gang-1-1.json");
        assertThat(Files.readString(gang)).contains("\"generation\":1", "\"masterPort\":29555");

        // The same set again changes nothing: the restarted worker is not started a third time.
        long pid = again.pid();
        supervisor.reconcile(new AssignmentSet("n", 3, List.of(s0.withIncarnation(1, 1), s1.withIncarnation(0, 1))));
        assertThat(report("job-r", 0).pid()).isEqualTo(pid);
    }

    private static boolean alive(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.isPresent() && h.get().isAlive();
    }
}
