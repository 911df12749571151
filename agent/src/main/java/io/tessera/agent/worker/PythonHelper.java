package io.tessera.agent.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The worker helper module ({@code import tessera}: {@code report}, {@code checkpoint},
 * {@code split}, {@code batch_weight}), shipped in the agent's jar and written at start to
 * {@code workDir/lib/python/tessera.py} (root's, readable by all, the directories 0755), so every
 * worker finds it on its {@code PYTHONPATH} without installing anything.
 */
public final class PythonHelper {
    static final String RESOURCE = "/python/tessera.py";
    private final Path dir;

    private PythonHelper(Path dir) {
        this.dir = dir;
    }

    /** Writes the helper under {@code workDir} (replacing an older one) and returns where it is. */
    public static PythonHelper install(Path workDir) {
        Path lib = workDir.resolve("lib");
        Path dir = lib.resolve("python");
        try (InputStream in = PythonHelper.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the agent's jar");
            }
            SafeFiles.ensureDir(lib, "rwxr-xr-x", -1);
            SafeFiles.ensureDir(dir, "rwxr-xr-x", -1);
            Path tmp = dir.resolve(".tessera.py.new");
            Files.deleteIfExists(tmp);
            Files.copy(in, tmp);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, dir.resolve("tessera.py"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new PythonHelper(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the worker helper under " + dir, e);
        }
    }

    /** The directory holding {@code tessera.py}. */
    public Path dir() {
        return dir;
    }

    /** Appends the helper's directory to the worker's {@code PYTHONPATH} (the job's own entries come first). */
    void addTo(Map<String, String> env) {
        String own = env.get("PYTHONPATH");
        env.put("PYTHONPATH", own == null || own.isEmpty() ? dir.toString() : own + ":" + dir);
    }
}
