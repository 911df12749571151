package io.tessera.scheduler.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Reads a scheduler member's own secrets: from a file that only its owner may read (mode 0600 or
 * stricter, not a link), or from an environment variable. A readable-by-others file is refused,
 * naming it, rather than used.
 */
public final class SecretFiles {
    private SecretFiles() {
    }

    /** The secret in {@code file} (when set) or else in {@code envVar}; empty when neither has one. */
    public static Optional<String> read(String file, String envVar) {
        if (file != null) {
            return Optional.of(readPrivate(Path.of(file)));
        }
        return Optional.ofNullable(System.getenv(envVar)).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** The stripped content of {@code file}, which must be private to its owner. */
    public static String readPrivate(Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                throw new IllegalStateException(file + " is a symbolic link; secrets are read from plain files only");
            }
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0077) != 0) {
                throw new IllegalStateException(file + " is readable by group or others (mode "
                        + Integer.toOctalString(mode & 0777) + "); chmod 600 it");
            }
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new IllegalStateException(file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read secret file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code value} to a new file created 0600 (never through a link); for generated secrets. */
    public static void writePrivate(Path file, String value) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write secret file " + file + ": " + e.getMessage(), e);
        }
    }
}
