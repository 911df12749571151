package io.tessera.scheduler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a demo keeps its state (agent configs and work directories, the embedded database, worker
 * logs, checkpoints) and where its workers find the files they run.
 *
 * <p>A root demo's agents run each job under a uid of its own, so every directory a worker needs
 * must let others pass. A checkout below a directory only its owner may enter (a clone under
 * {@code mktemp -d}, root's 0700 home) is out of the workers' reach: the demo then keeps its state
 * in a fresh directory under the system's temporary directory, with a copy of {@code examples/}
 * for its workers, and says so (and why), rather than failing every shard on "Permission denied".
 * Elsewhere it keeps both in the checkout, under {@code .tessera/}.
 *
 * @param runDir      this demo's own directory (0711), unique to it, so demos side by side never share one
 * @param workersHome what {@code ${TESSERA_HOME}} means in the demo's job files: the checkout, or the copy
 * @param notice      what the demo tells the user when it moved out of the checkout, and the fix
 */
record DemoPlace(Path runDir, Path workersHome, Optional<String> notice) {
    /** The file, in the checkout's {@code .tessera/}, naming the copy that {@code bin/tessera submit} expands ${TESSERA_HOME} to. */
    static final String WORKERS_HOME_FILE = "workers-home";

    /**
     * Chooses the place for a demo of the checkout {@code home}.
     *
     * @param switchesUsers whether the demo's workers run as other users than this process (a root demo)
     * @param tmp           the system's temporary directory
     * @param stamp         makes the run directory unique
     */
    static DemoPlace choose(Path home, boolean switchesUsers, Path tmp, long stamp) throws IOException {
        Path dotTessera = home.resolve(".tessera");
        Optional<Path> blocker = switchesUsers ? firstClosed(home) : Optional.empty();
        if (blocker.isEmpty()) {
            Path runDir = dotTessera.resolve("demo-" + stamp);
            traversable(Files.createDirectories(dotTessera));
            traversable(Files.createDirectories(runDir));
            Files.deleteIfExists(dotTessera.resolve(WORKERS_HOME_FILE)); // the checkout itself is reachable now
            return new DemoPlace(runDir, home, Optional.empty());
        }
        Path runDir = traversable(Files.createTempDirectory(tmp, "tessera-demo-" + stamp + "-"));
        Path workersHome = traversable(Files.createDirectory(runDir.resolve("home")));
        copyReadable(home.resolve("examples"), workersHome.resolve("examples"));
        Files.createDirectories(dotTessera);
        Files.writeString(dotTessera.resolve(WORKERS_HOME_FILE), workersHome + "\n");
        Path closed = blocker.get();
        return new DemoPlace(runDir, workersHome, Optional.of("This checkout is out of reach of the workers' per-job "
                + "users: " + closed + " lets only its owner enter (mode " + mode(closed) + "). The demo keeps its state in "
                + runDir + " and runs a copy of examples/ from " + workersHome + "; bin/tessera submit expands "
                + "${TESSERA_HOME} to that copy while it exists. To run jobs from the checkout itself: chmod o+x " + closed));
    }

    /** The first directory from the root down to {@code dir} that others may not pass; empty when none. */
    static Optional<Path> firstClosed(Path dir) throws IOException {
        Path real = dir.toRealPath();
        Path at = real.getRoot();
        for (Path part : real) {
            at = at.resolve(part);
            if (((Integer) Files.getAttribute(at, "unix:mode") & 01) == 0) {
                return Optional.of(at);
            }
        }
        return Optional.empty();
    }

    private static String mode(Path p) throws IOException {
        return String.format("%04o", (Integer) Files.getAttribute(p, "unix:mode") & 07777);
    }

    private static Path traversable(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    /** Copies {@code from} to {@code to}: directories 0755, files 0644 (0755 when executable), no links followed out. */
    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                            Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }
}
