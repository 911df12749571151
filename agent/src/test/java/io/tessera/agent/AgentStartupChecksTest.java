package io.tessera.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.agent.worker.SafeFiles;
import io.tessera.agent.worker.WorkerIdentity;
import io.tessera.config.AgentConfig;
import io.tessera.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's own safety checks at start and its safe defaults. */
class AgentStartupChecksTest {
    @TempDir
    Path dir;

    @Test
    void aConfigHoldingAJoinTokenThatOthersCanReadIsRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), "node: n1\njoinToken: tsj_secret\n"
                + "devices: [{source: simulated, chipType: nvidia-h20, count: 1}]\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> AgentMain.refuseReadableJoinToken(config)).hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        AgentMain.refuseReadableJoinToken(config);

        Path token = Files.writeString(dir.resolve("join"), "tsj_secret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw-r--"));
        Path viaFile = Files.writeString(dir.resolve("agent2.yaml"), "node: n1\njoinTokenFile: " + token + "\n"
                + "devices: [{source: simulated, chipType: nvidia-h20, count: 1}]\n");
        assertThatThrownBy(() -> AgentMain.refuseReadableJoinToken(viaFile)).hasMessageContaining(token.toString());
    }

    @Test
    void metricsBindToLoopbackAndTheWorkDirIsNotAGuessableTmpName() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), "node: n1\n"
                + "devices: [{source: simulated, chipType: nvidia-h20, count: 1}]\n");
        AgentConfig cfg = ConfigLoader.load(Optional.of(config), AgentConfig.class);
        assertThat(cfg.metricsHost()).isEqualTo("127.0.0.1");
        assertThat(cfg.workDir()).doesNotStartWith(System.getProperty("java.io.tmpdir"));
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat(cfg.workDir()).isEqualTo("/var/lib/tessera-agent/n1");
        }
    }

    /**
     * Regression: a root agent whose workDir sat below a 0700 directory (a clone under
     * {@code mktemp -d}) started, and then every worker failed on "Permission denied" reading its
     * environment file, spending the job's restarts. It now refuses to start, naming the
     * directory and the fix.
     */
    @Test
    void aRootAgentRefusesAWorkDirItsWorkersCannotReach() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "per-job uids need root (CI runs as root)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path work = dir.resolve("clone/.tessera/node-1");
        SafeFiles.checkWorkDir(work);
        WorkerIdentity perJob = WorkerIdentity.perJob(200000, 299999);

        assertThatThrownBy(() -> Agent.requireReachable(work, perJob))
                .hasMessageContaining("cannot reach workDir " + work)
                .hasMessageContaining(dir.toRealPath() + " (mode 0700")
                .hasMessageContaining("chmod o+x " + dir.toRealPath());

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Agent.requireReachable(work, perJob);
        Agent.requireReachable(work, WorkerIdentity.agentUser()); // workers as the agent itself: nothing to check
    }
}
