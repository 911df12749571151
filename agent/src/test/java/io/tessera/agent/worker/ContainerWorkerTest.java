package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.agent.container.ContainerRuntime;
import io.tessera.agent.container.Containers;
import io.tessera.agent.container.LocalImages;
import io.tessera.agent.container.PodmanAvailable;
import io.tessera.config.ContainerRuntimeConfig;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers in real Podman containers under a root agent with per-job uids, from a busybox image
 * built here offline: the contract reaches the container, SIGTERM reaches the worker, nothing is
 * left behind, a missing image refuses the shard, jobs cannot see each other, secrets are on no
 * command line, and an agent that restarts removes what its predecessor left.
 */
class ContainerWorkerTest {
    /** The settings that work on this kind of host: runc, and explicit ulimits (see docs/containers.md). */
    static final ContainerRuntimeConfig CONFIG = new ContainerRuntimeConfig("podman", "runc", null, "64m", null, 60_000L,
            null, null);
    private static final String TAG = "localhost/tessera-test/busybox:" + UUID.randomUUID().toString().substring(0, 8);
    private static LocalImages images;
    /** The digest TAG resolves to here: what the scheduler would pin. */
    private static String digest;
    @TempDir
    static Path scratch;
    @TempDir
    Path dir;
    private Path work;
    private String node;
    private ContainerRuntime runtime;
    private WorkerSupervisor supervisor;

    @BeforeAll
    static void image() throws IOException {
        PodmanAvailable.assume();
        images = new LocalImages("/usr/bin/podman");
        images.busybox(TAG, scratch);
        try {
            digest = Containers.runtime(CONFIG).prepare(TAG).digest();
        } catch (ContainerRuntime.ImageUnavailable e) {
            throw new IOException(e);
        }
    }

    @AfterAll
    static void removeImage() {
        if (images != null) {
            images.remove(TAG);
        }
    }

    @BeforeEach
    void rootAgent() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = dir.resolve("agent");
        SafeFiles.checkWorkDir(work);
        node = "ct-" + UUID.randomUUID().toString().substring(0, 8);
        runtime = Containers.runtime(CONFIG);
        supervisor = supervisor();
    }

    private WorkerSupervisor supervisor() {
        return new WorkerSupervisor(work, d -> Optional.empty(), code -> { }, WorkerIdentity.perJob(200000, 299999),
                WorkerLauncher.detect(null)).withContainers(runtime, node, List.of());
    }

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (runtime != null) {
            runtime.list(owner()).forEach(c -> runtime.remove(c.name()));
        }
    }

    private static ShardAssignment job(String id, String image, String script, Map<String, String> env) {
        return ShardAssignment.builder(id, 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", script), env).image(image).imageDigest(digest)
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
    }

    private String owner() {
        return ContainerStarter.owner(node, work);
    }

    private ShardReport report(String job) {
        return supervisor.reports().stream().filter(r -> r.jobId().equals(job)).findFirst().orElseThrow();
    }

    private String log(String job) throws IOException {
        Path log = supervisor.logFile(job, 0);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void aWorkerRunsInItsImageAsItsJobsUidUnderTheContractAndLeavesNothingBehind() throws Exception {
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(job("job-run", TAG, "id -u; echo rank=$RANK world=$WORLD_SIZE "
                + "vis=$CUDA_VISIBLE_DEVICES home=$HOME; echo TESSERA_PROGRESS step=3 total=5; cat /proc/1/cmdline | tr '\\0' ' '; "
                + "echo; grep -E '^(NoNewPrivs|CapEff)' /proc/self/status; ls /; exit 3", Map.of("USER_VAR", "a b")))));
        await().atMost(Duration.ofSeconds(60)).until(() -> report("job-run").phase() == ShardPhase.EXITED);
        ShardReport r = report("job-run");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.imageDigest()).startsWith("sha256:");
        assertThat(r.step()).isEqualTo(3L);
        String out = log("job-run");
        int uid = Integer.parseInt(out.lines().findFirst().orElseThrow().strip());
        assertThat(uid).isBetween(200000, 299999);
        assertThat(out).contains("rank=0 world=1 vis=0 home=" + work.resolve("jobs/job-run/shard-0"))
                .containsPattern("NoNewPrivs:\\s+1").containsPattern("CapEff:\\s+0+\\n")
                .as("its own PID namespace, with a small init as PID 1").containsPattern("catatonit|init");
        assertThat(runtime.list(owner())).as("the container is removed once it ends").isEmpty();
        try (var files = Files.list(work.resolve("containers"))) {
            assertThat(files.toList()).as("its environment file is removed").isEmpty();
        }
    }

    @Test
    void sigtermReachesTheWorkerInItsContainerWhichCheckpointsAndCancelLeavesNoContainer() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("ckpt")); // a shared checkpoint volume
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        ShardAssignment a = ShardAssignment.builder("job-term", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", "trap 'echo saved > $TESSERA_CHECKPOINT_DIR/ckpt; echo got-term; exit 0' TERM; "
                        + "echo started; while true; do sleep 0.2; done"), Map.of()).image(TAG).imageDigest(digest)
                .checkpoints(dir.resolve("ckpt").resolve("job-term").toString(), null)
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(a)));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("job-term").contains("started"));
        assertThat(runtime.list(owner())).singleElement().satisfies(c -> {
            assertThat(c.jobId()).isEqualTo("job-term");
            assertThat(c.running()).isTrue();
        });
        supervisor.reconcile(new AssignmentSet(node, 2, List.of(a.withStopGrace(20_000)))); // preempted
        await().atMost(Duration.ofSeconds(30)).until(() -> report("job-term").phase() == ShardPhase.EXITED);
        assertThat(log("job-term")).contains("got-term");
        assertThat(report("job-term").exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("ckpt/job-term/ckpt")).strip()).isEqualTo("saved");
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.list(owner()).isEmpty());

        ShardAssignment again = job("job-cancel", TAG, "echo up; exec sleep 300", Map.of());
        supervisor.reconcile(new AssignmentSet(node, 3, List.of(again)));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("job-cancel").contains("up"));
        supervisor.reconcile(new AssignmentSet(node, 4, List.of())); // cancelled: unassigned
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.list(owner()).isEmpty());
    }

    @Test
    void aShardWaitsForItsPinnedDigestAndOneResolvedToAnotherIsRefusedWithoutRunning() throws Exception {
        ShardAssignment waiting = ShardAssignment.builder("job-pin", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", "echo ran; exit 0"), Map.of()).image(TAG)
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
        ShardAssignment wrong = ShardAssignment.builder("job-wrong", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", "echo ran; exit 0"), Map.of()).image(TAG).imageDigest("sha256:" + "0".repeat(64))
                .devices(List.of(1), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(waiting, wrong)));
        await().atMost(Duration.ofSeconds(30)).until(() -> digest.equals(report("job-pin").imageDigest()));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                report("job-pin").phase() == ShardPhase.STARTING && runtime.list(owner()).isEmpty());
        assertThat(report("job-wrong").phase()).isEqualTo(ShardPhase.REFUSED);
        assertThat(report("job-wrong").refusal()).isEqualTo(ShardReport.Refusal.IMAGE_DIGEST_MISMATCH);
        assertThat(report("job-wrong").message()).contains(digest).contains("0".repeat(64));
        assertThat(log("job-wrong")).as("never ran").doesNotContain("ran");

        supervisor.reconcile(new AssignmentSet(node, 2, List.of(waiting.withImageDigest(digest), wrong))); // pinned
        await().atMost(Duration.ofSeconds(30)).until(() -> report("job-pin").phase() == ShardPhase.EXITED);
        assertThat(log("job-pin")).contains("ran");
    }

    @Test
    void anAdminsAllowedMountIsTheOnlyOtherHostPathAContainerSees() throws Exception {
        Path data = Files.createDirectories(dir.resolve("datasets"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(data.resolve("train.txt"), "shared-dataset\n");
        Files.setPosixFilePermissions(data.resolve("train.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        supervisor.close();
        supervisor = new WorkerSupervisor(work, d -> Optional.empty(), code -> { }, WorkerIdentity.perJob(200000, 299999),
                WorkerLauncher.detect(null)).withContainers(runtime, node, List.of(Containers.mount(data + ":/data:ro")));
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(job("job-mount", TAG, "cat /data/train.txt; "
                + "touch /data/new 2>&1 || echo cannot-write; ls " + data + " 2>&1; echo done", Map.of()))));
        await().atMost(Duration.ofSeconds(60)).until(() -> report("job-mount").phase() == ShardPhase.EXITED);
        assertThat(log("job-mount")).contains("shared-dataset").contains("cannot-write").contains("No such file or directory");
        assertThat(data.resolve("new")).doesNotExist();
    }

    @Test
    void anotherAgentOfTheSameNameOnThisHostLeavesThisOnesContainersAlone() throws Exception {
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(job("job-mine", TAG, "echo up; exec sleep 300", Map.of()))));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("job-mine").contains("up"));
        Path other = dir.resolve("other-demo"); // a second demo on this host: the same node names, its own work directory
        SafeFiles.checkWorkDir(other);
        try (WorkerSupervisor second = new WorkerSupervisor(other, d -> Optional.empty(), code -> { },
                WorkerIdentity.perJob(200000, 299999), WorkerLauncher.detect(null)).withContainers(runtime, node, List.of())) {
            second.reconcile(new AssignmentSet(node, 1, List.of())); // it settles what it found: nothing of its own
            assertThat(runtime.list(owner())).singleElement().satisfies(c -> assertThat(c.running()).isTrue());
            assertThat(report("job-mine").phase()).isEqualTo(ShardPhase.RUNNING);
        }
    }

    @Test
    void aMissingImageRefusesTheShardNamingTheImage() {
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(job("job-missing", "localhost/tessera-test/no-such-image:1",
                "true", Map.of()))));
        await().atMost(Duration.ofSeconds(60)).until(() -> report("job-missing").phase() == ShardPhase.REFUSED);
        ShardReport r = report("job-missing");
        assertThat(r.refusal()).isEqualTo(ShardReport.Refusal.IMAGE_PULL_FAILED);
        assertThat(r.message()).contains("localhost/tessera-test/no-such-image:1").contains("could not be pulled");
    }

    @Test
    void oneJobsContainerCannotReadAnothersFilesNorSeeItsProcessesAndSecretsAreOnNoCommandLine() throws Exception {
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(job("job-alice", TAG,
                "echo private > $HOME/data; echo alice-up; exec sleep 300", Map.of("ALICE_SECRET", "s3cr3t-alice")))));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("job-alice").contains("alice-up"));
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            assertThat(p.info().arguments().map(List::of).orElse(List.of()).toString())
                    .as("no command line holds a secret").doesNotContain("s3cr3t-alice");
        }
        Path aliceData = work.resolve("jobs/job-alice/shard-0/data");
        String probe = "echo uid=$(id -u); cat " + aliceData + " 2>&1; echo read-done; ps -ef | grep -c 'slee[p] 300'; "
                + "ls " + work + " 2>&1; echo ls-done; cat " + work.resolve("containers") + "/*.env 2>&1; echo env-done";
        ShardAssignment bob = ShardAssignment.builder("job-bob", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", probe), Map.of()).image(TAG).imageDigest(digest)
                .devices(List.of(1), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
        supervisor.reconcile(new AssignmentSet(node, 2, List.of(job("job-alice", TAG,
                "echo private > $HOME/data; echo alice-up; exec sleep 300", Map.of("ALICE_SECRET", "s3cr3t-alice")), bob)));
        await().atMost(Duration.ofSeconds(60)).until(() -> report("job-bob").phase() == ShardPhase.EXITED);
        String out = log("job-bob");
        assertThat(out).doesNotContain("private").contains("No such file or directory");
        assertThat(out.lines().dropWhile(l -> !l.contains("read-done")).skip(1).findFirst().orElseThrow().strip())
                .as("bob sees no process of alice's").isEqualTo("0");
        assertThat(out).as("alice's environment file is not in bob's container").doesNotContain("s3cr3t-alice")
                .doesNotContain("ALICE_SECRET");
        try (var envs = Files.list(work.resolve("containers"))) {
            assertThat(envs.filter(f -> f.getFileName().toString().contains("job-alice")).toList()).singleElement()
                    .satisfies(f -> assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------")));
        }
    }

    @Test
    void anAgentThatRestartsAdoptsTheContainersStillAssignedAndRemovesTheRest() throws Exception {
        ShardAssignment kept = job("job-kept", TAG, "echo up; while [ ! -f $HOME/go ]; do sleep 0.1; done; echo finishing; exit 4",
                Map.of());
        ShardAssignment dropped = ShardAssignment.builder("job-dropped", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", "echo up; exec sleep 300"), Map.of()).image(TAG).imageDigest(digest)
                .devices(List.of(1), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1).rendezvous("127.0.0.1", 29500, null).build();
        supervisor.reconcile(new AssignmentSet(node, 1, List.of(kept, dropped)));
        await().atMost(Duration.ofSeconds(60)).until(() -> log("job-kept").contains("up") && log("job-dropped").contains("up"));
        for (String job : List.of("job-kept", "job-dropped")) { // the agent dies: its podman processes with it
            long pid = report(job).pid();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
        }
        assertThat(runtime.list(owner())).hasSize(2).allSatisfy(c -> assertThat(c.running()).isTrue());

        supervisor = supervisor(); // a new agent for the same node; the scheduler still assigns job-kept only
        supervisor.reconcile(new AssignmentSet(node, 2, List.of(kept)));
        assertThat(report("job-kept").phase()).as("adopted, not started again").isEqualTo(ShardPhase.RUNNING);
        assertThat(report("job-kept").imageDigest()).startsWith("sha256:");
        assertThat(runtime.list(owner())).singleElement().satisfies(c -> assertThat(c.jobId()).isEqualTo("job-kept"));
        Files.writeString(work.resolve("jobs/job-kept/shard-0/go"), "");
        await().atMost(Duration.ofSeconds(30)).until(() -> report("job-kept").phase() == ShardPhase.EXITED);
        assertThat(report("job-kept").exitCode()).as("the container's own exit code").isEqualTo(4);
        assertThat(log("job-kept")).as("one log, one start").containsOnlyOnce("up").contains("finishing");
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.list(owner()).isEmpty());
    }
}
