package io.tessera.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {
    @TempDir
    Path dir;

    @Test
    void theLastLinesAreReadFromTheEndOfALongLog() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            b.append("line ").append(i).append('\n');
        }
        Path log = Files.writeString(dir.resolve("a.log"), b + "partial");
        assertThat(LogFiles.lastLines(log, 3)).containsExactly("line 4999", "line 5000", "partial");
        assertThat(LogFiles.lastLines(Files.writeString(dir.resolve("b.log"), "x\ny\n"), 20)).containsExactly("x", "y");
        assertThat(LogFiles.lastLines(dir.resolve("missing.log"), 20)).isEmpty();
    }

    @Test
    void rotationCopiesThenEmptiesSoAnAppendingWriterCarriesOn() throws Exception {
        Path log = dir.resolve("attempt-1.log");
        try (FileOutputStream writer = new FileOutputStream(log.toFile(), true)) { // as a worker's O_APPEND stdout
            writer.write("a".repeat(5000).getBytes(StandardCharsets.US_ASCII));
            writer.flush();
            assertThat(LogFiles.rotateIfOver(log, 10_000)).isFalse();
            assertThat(LogFiles.rotateIfOver(log, 4096)).isTrue();
            writer.write("after\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(Files.readString(log)).isEqualTo("after\n");
        assertThat(Files.size(dir.resolve("attempt-1.log.1"))).isEqualTo(5000);
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(dir.resolve("attempt-1.log.1"), "unix:mode") & 0777))
                .isEqualTo("600");
        assertThat(LogFiles.lastLines(log, 5)).isEqualTo(List.of("after"));
    }
}
