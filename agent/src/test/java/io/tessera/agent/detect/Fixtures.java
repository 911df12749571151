package io.tessera.agent.detect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Test fixtures: captured tool outputs, and fake tools (executables on a search path) that print them. */
public final class Fixtures {
    private Fixtures() {
    }

    public static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a fixture into {@code dir} and returns its absolute path. */
    public static Path file(Path dir, String name) {
        try {
            Path p = dir.resolve(name.replace('/', '_'));
            Files.writeString(p, text(name));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an executable shell script {@code dir/name}. */
    public static Path tool(Path dir, String name, String body) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fake nvidia-smi answering the CSV query, -q -x and -q from files. */
    public static Path nvidiaSmi(Path dir, String csvBody, Path xml, Path text) {
        return tool(dir, "nvidia-smi", "case \"$*\" in\n  *--query-gpu*) " + csvBody + " ;;\n"
                + "  \"-q -x\") cat '" + xml + "' ;;\n  \"-q\") cat '" + text + "' ;;\n  *) exit 64 ;;\nesac");
    }
}
