package io.tessera.agent;

import java.nio.file.StandardCopyOption;
import io.tessera.config.AgentConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Keeps this node's credential: read from the credential file (mode 0600) when present, else
 * obtained by enrolling with the join token and saved. The join token is then dropped: a
 * {@code joinTokenFile} is emptied and a configured token is not used again, so a node that loses
 * its credential needs an admin's readmit and a new token in its {@code joinTokenFile}. Forgotten when the scheduler refuses it,
 * so the next use enrolls again. Only the heartbeat thread calls it.
 */
final class CredentialKeeper {
    private final AgentConfig config;
    private final SchedulerClient client;
    private final Path file;
    private String credential;
    /** Set once the configured token has enrolled this node: it is not used again (only a refilled joinTokenFile is). */
    private boolean configTokenSpent;

    CredentialKeeper(AgentConfig config, SchedulerClient client) {
        this.config = config;
        this.client = client;
        this.file = Path.of(config.credentialFile());
    }

    /** Makes sure the client presents a credential, enrolling if needed. */
    void ensure() throws IOException, InterruptedException {
        if (credential == null) {
            credential = read().orElse(null);
        }
        if (credential == null) {
            String join = joinToken().orElseThrow(() -> new IOException("no credential in " + file
                    + " and no join token to enroll with (joinTokenFile, joinToken in the agent config, or "
                    + "TESSERA_JOIN_TOKEN); a node whose credential was revoked needs an admin's readmit and a new token"));
            credential = client.enroll(config.node(), join);
            save(credential);
            consumeJoinTokenFile();
            configTokenSpent = true;
        }
        client.useCredential(credential);
    }

    /** The scheduler refused the credential: forget it. */
    void invalidate() throws IOException {
        credential = null;
        client.useCredential(null);
        Files.deleteIfExists(file);
    }

    /** The join token: the joinTokenFile's content when it has one, else the configured token. */
    private Optional<String> joinToken() throws IOException {
        if (config.joinTokenFile() != null && Files.isRegularFile(Path.of(config.joinTokenFile()))) {
            String token = Files.readString(Path.of(config.joinTokenFile())).strip();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        return Optional.ofNullable(config.joinToken()).filter(t -> !t.isBlank() && !configTokenSpent);
    }

    /** Once the node holds its credential, the join token file is emptied: the token is of no more use here. */
    private void consumeJoinTokenFile() throws IOException {
        if (config.joinTokenFile() != null && Files.isRegularFile(Path.of(config.joinTokenFile()))) {
            Files.writeString(Path.of(config.joinTokenFile()), "", StandardOpenOption.TRUNCATE_EXISTING);
        }
    }

    private Optional<String> read() throws IOException {
        return Files.isReadable(file) ? Optional.of(Files.readString(file).strip()).filter(s -> !s.isEmpty())
                : Optional.empty();
    }

    private void save(String value) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, value, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
