package io.tessera.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoClientConfigTest {
    @TempDir
    Path home;

    @Test
    void theDemoWritesAPrivateConfigAndNeverOverwritesTheUsersOwn() throws Exception {
        Path file = DemoClientConfig.write("http://127.0.0.1:8080", "tsk_demo", home.toString(), Map.of()).orElseThrow();
        assertThat(file).isEqualTo(home.resolve(".config/tessera/config.yaml"));
        assertThat(Files.readString(file)).contains("url: http://127.0.0.1:8080", "token: tsk_demo");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        // a second demo replaces its own file
        assertThat(DemoClientConfig.write("http://127.0.0.1:9090", "tsk_two", home.toString(), Map.of())).isPresent();
        assertThat(Files.readString(file)).contains("tsk_two");
        // a file of the user's own stays as it is
        Files.writeString(file, "url: https://prod:8080\ntoken: tsk_mine\n");
        assertThat(DemoClientConfig.write("http://127.0.0.1:8080", "tsk_demo", home.toString(), Map.of())).isEmpty();
        assertThat(Files.readString(file)).contains("tsk_mine");
        Path xdg = home.resolve("xdg");
        assertThat(DemoClientConfig.write("u", "t", home.toString(), Map.of("XDG_CONFIG_HOME", xdg.toString())))
                .contains(xdg.resolve("tessera/config.yaml"));
    }
}
