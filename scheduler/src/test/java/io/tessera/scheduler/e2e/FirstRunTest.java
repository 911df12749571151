package io.tessera.scheduler.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as a new user runs it: the project cloned into a directory only its
 * owner may enter (what {@code mktemp -d} makes, and root's home), then {@code tessera demo --once}
 * as root, in a child process. Regression: the demo's own job failed there with "the job's user
 * cannot create its checkpointDir ... Permission denied" and "fix the spec and resubmit", since
 * the per-job uids could not pass the 0700 directory.
 */
class FirstRunTest {
    @TempDir
    Path dir;

    @Test
    void theDemoSucceedsForRootInACloneUnderADirectoryOnlyRootMayEnter() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the per-job uids need root (CI runs as root)");
        Path repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        Path agentJar = repo.resolve("agent/target/tessera-agent.jar");
        assertThat(agentJar).as("built by the agent module before the scheduler's tests").isRegularFile();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path clone = dir.resolve("tessera");
        assertThat(run(List.of("git", "clone", "-q", repo.toString(), clone.toString()), repo, 120).exit).isZero();
        Files.createDirectories(clone.resolve("agent/target"));
        Files.copy(agentJar, clone.resolve("agent/target/tessera-agent.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path home = Files.createDirectories(dir.resolve("home"));

        Result demo = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtessera.home=" + clone, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.tessera.scheduler.cli.TesseraMain", "demo", "--once", "--timeout", "PT3M"), clone, 240);

        demo.output.lines().filter(l -> l.startsWith("logs and worker output: /tmp/tessera-demo-"))
                .map(l -> Path.of(l.substring("logs and worker output: ".length()))).forEach(FirstRunTest::delete);
        assertThat(demo.exit).as(demo.output).isZero();
        assertThat(demo.output).contains("out of reach of the workers' per-job users: " + dir.toRealPath())
                .contains("chmod o+x " + dir.toRealPath()).contains("finished: SUCCEEDED")
                .doesNotContain("SHARD_REFUSED").doesNotContain("Permission denied");
        assertThat(home.resolve(".config/tessera/config.yaml")).as("--once leaves the client config alone").doesNotExist();
    }

    @Test
    void theDemoRunsAJobWhoseVendorsEachRunTheirOwnImage() throws Exception {
        boolean podman = "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/podman"))
                && (Files.isExecutable(Path.of("/bin/busybox")) || Files.isExecutable(Path.of("/usr/bin/busybox")));
        if ("1".equals(System.getenv("TESSERA_REQUIRE_PODMAN"))) {
            assertThat(podman).as("TESSERA_REQUIRE_PODMAN=1: root, podman and busybox-static are here").isTrue();
        }
        Assumptions.assumeTrue(podman, "the demo runs containers as root with podman and busybox-static");
        Path repo = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        Path home = Files.createDirectories(dir.resolve("home"));
        Result demo = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtessera.home=" + repo, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.tessera.scheduler.cli.TesseraMain", "demo", "--once", "--timeout", "PT3M",
                "--job", repo.resolve("examples/containers/demo-variants.yaml").toString()), repo, 240);
        demo.output.lines().filter(l -> l.startsWith("logs and worker output: /tmp/tessera-demo-"))
                .map(l -> Path.of(l.substring("logs and worker output: ".length()))).forEach(FirstRunTest::delete);
        assertThat(demo.exit).as(demo.output).isZero();
        assertThat(demo.output).as("its shards ran in the demo's images: a node without a runtime would have refused it")
                .contains("finished: SUCCEEDED").contains("all 3 shards exited 0");
    }

    private static void delete(Path tree) {
        try (var paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover in /tmp is no failure of the demo
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> argv, Path cwd, long timeoutSec) throws Exception {
        Path log = Files.createTempFile("first-run", ".log");
        try {
            Process p = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeoutSec + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
