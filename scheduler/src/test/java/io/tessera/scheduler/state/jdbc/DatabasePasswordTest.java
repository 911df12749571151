package io.tessera.scheduler.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.config.DatabaseConfig;
import io.tessera.config.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database password need not sit in the config file (regression: it could only be inline). */
class DatabasePasswordTest {
    @TempDir
    Path dir;

    @Test
    void thePasswordComesInlineOrFromAPrivateFileNeverBoth() throws Exception {
        String url = "jdbc:postgresql://db/tessera";
        assertThat(Database.password(new DatabaseConfig(url, "t", "inline", null))).isEqualTo("inline");
        Path file = Files.writeString(dir.resolve("db-password"), "s3cret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(Database.password(new DatabaseConfig(url, "t", null, null, file.toString()))).isEqualTo("s3cret");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Database.password(new DatabaseConfig(url, "t", null, null, file.toString())))
                .hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> new DatabaseConfig(url, "t", "inline", null, file.toString()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("passwordFile");
    }
}
