package io.tessera.agent.worker;

import org.assertj.core.api.Assertions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardPhase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker launched by a root agent runs as the configured user and sees none of the agent's secrets. */
class WorkerIdentityTest {
    @TempDir
    Path dir;

    @Test
    void workersRunAsNobodyWithACleanEnvironment() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "switching users needs root (CI runs as root)");
        Path credential = dir.resolve("credential");
        Files.writeString(credential, "tsa_node.super-secret-credential");
        Files.setPosixFilePermissions(credential, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        WorkerSupervisor supervisor = new WorkerSupervisor(dir, d -> Optional.empty(), code -> { },
                WorkerIdentity.of("nobody"));
        try {
            ShardAssignment a = ShardAssignment.builder("job-id", 0).jobName("j").gang(1, 0, 1).attempt(1)
                .command(List.of("sh", "-c", "id -un; cat " + credential + " || echo CANNOT-READ; env | cut -d= -f1 | sort; " + "touch $HOME/written && echo HOME-WRITABLE"), Map.of("JOB_VAR", "1"))
                .devices(List.of(0), "nvidia-h20", "nvidia", "CUDA_VISIBLE_DEVICES")
                .batch("bf16", 1, 1, 1, 1)
                .rendezvous("127.0.0.1", 29500, null).build();
            supervisor.reconcile(new AssignmentSet("n", 1, List.of(a)));
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.reports().get(0).phase() == ShardPhase.EXITED);
            String log = Files.readString(supervisor.logFile("job-id", 0));
            List<String> lines = log.lines().toList();
            assertThat(lines.get(0)).isEqualTo("nobody");
            assertThat(log).contains("CANNOT-READ", "Permission denied", "HOME-WRITABLE")
                    .doesNotContain("super-secret-credential");
            Set<String> allowed = Set.of("PATH", "LANG", "LC_ALL", "TZ", "HOME", "USER", "LOGNAME", "JOB_VAR", "PWD", "SHLVL",
                    "_", "MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                    "CUDA_VISIBLE_DEVICES", "TORCH_NCCL_ASYNC_ERROR_HANDLING", "PYTHONPATH", "ROLE_NAME", "ROLE_RANK",
                    "ROLE_WORLD_SIZE", "GROUP_RANK", "GROUP_WORLD_SIZE", "TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT",
                    "TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_ERROR_FILE", "OMP_NUM_THREADS"); // the worker contract
            List<String> names = lines.subList(lines.indexOf("CANNOT-READ") + 1, lines.indexOf("HOME-WRITABLE")).stream()
                    .filter(l -> !l.startsWith("TESSERA_")).toList();
            assertThat(names).allSatisfy(n -> assertThat(allowed).as("unexpected variable %s", n).contains(n));
        } finally {
            supervisor.close();
        }
    }

    @Test
    void aNonRootAgentCannotSwitchUsers() {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")));
        Assertions.assertThatThrownBy(() -> WorkerIdentity.of("nobody"))
                .hasMessageContaining("needs the agent to run as root");
    }
}
