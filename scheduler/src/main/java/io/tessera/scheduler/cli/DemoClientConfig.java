package io.tessera.scheduler.cli;

import java.nio.file.StandardCopyOption;
import io.tessera.scheduler.cli.client.ClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Points the client commands at the demo cluster: writes the user's client config file (mode
 * 0600) with the demo's URL and admin token, as minikube writes a kubeconfig. A config file the
 * demo did not write is never touched; then the demo says what to export instead.
 */
final class DemoClientConfig {
    static final String MARKER = "# written by tessera demo";

    private DemoClientConfig() {
    }

    /** The file written, or empty when the user has a config file of their own. */
    static Optional<Path> write(String url, String token, String home, Map<String, String> env) throws IOException {
        Path file = env.get("TESSERA_CONFIG") != null ? Path.of(env.get("TESSERA_CONFIG"))
                : ClientOptions.defaultFile(home, env);
        if (Files.exists(file) && !Files.readString(file).startsWith(MARKER)) {
            return Optional.empty();
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, MARKER + " (bin/tessera demo); delete this line to keep the file as your own\n"
                + "url: " + url + "\ntoken: " + token + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Optional.of(file);
    }
}
