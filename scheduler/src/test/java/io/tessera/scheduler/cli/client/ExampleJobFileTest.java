package io.tessera.scheduler.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.config.ChipCatalog;
import io.tessera.config.JobSpec;
import io.tessera.config.JobSpecParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Regression: the README's first submit failed as shipped, since examples/job.yaml named /path/to/tessera. */
class ExampleJobFileTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theExampleJobAsSubmittedNamesAWorkerThatExists() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String text = SubmitCommand.expand(Files.readString(HOME.resolve("examples/job.yaml")),
                Map.of("TESSERA_HOME", HOME.toString(), "TESSERA_JAVA", java), "examples/job.yaml");
        JobSpec spec = new JobSpecParser(ChipCatalog.builtIn()).parse(text.getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThat(Path.of(spec.command().get(0))).isExecutable();
        assertThat(Path.of(spec.command().get(1))).isRegularFile().hasFileName("ExampleWorker.java");
        assertThat(text).doesNotContain("/path/to");
    }

    @Test
    void anUnsetVariableIsAnErrorNamingItAndItsLineButCommentsAreLeftAlone() throws Exception {
        assertThatThrownBy(() -> SubmitCommand.expand("# ${NOT_SET} in a comment\nname: ${NOT_SET}\n", Map.of(), "j.yaml"))
                .hasMessageContaining("j.yaml:2: ${NOT_SET} is not set");
        assertThat(assertDoesNotThrow("# ${X}\nname: a\n")).isEqualTo("# ${X}\nname: a\n");
    }

    private static String assertDoesNotThrow(String text) throws ClientCommand.UsageError {
        return SubmitCommand.expand(text, Map.of(), "j.yaml");
    }
}
