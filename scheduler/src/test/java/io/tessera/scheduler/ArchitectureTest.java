package io.tessera.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering the design relies on, checked on the sources: placement and the loop are pure of
 * Hazelcast and Vert.x (so they run on an in-memory store and in the simulator), and nothing
 * below the loop imports it or the edges (no upward imports).
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("src/main/java/io/tessera/scheduler");

    private static List<String> offending(String pkg, String... forbidden) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    for (String prefix : forbidden) {
                        if (line.startsWith("import " + prefix) || (!line.startsWith("import") && line.contains(" " + prefix))) {
                            out.add(ROOT.relativize(f) + ": " + line.strip());
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void placementAndTheLoopImportNeitherHazelcastNorVertx() throws IOException {
        assertThat(offending("placement", "com.hazelcast", "io.vertx")).isEmpty();
        assertThat(offending("loop", "com.hazelcast", "io.vertx")).isEmpty();
    }

    @Test
    void theSimulatorRunsTheLoopOverTheInMemoryStoreOnly() throws IOException {
        assertThat(offending("sim", "com.hazelcast", "io.vertx", "io.tessera.scheduler.api", "io.tessera.scheduler.service",
                "io.tessera.scheduler.cli", "io.tessera.scheduler.state.Hazelcast")).isEmpty();
    }

    @Test
    void nothingImportsUpward() throws IOException {
        assertThat(offending("model", "io.tessera.scheduler.state", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api")).isEmpty();
        assertThat(offending("placement", "io.tessera.scheduler.state", "io.tessera.scheduler.loop",
                "io.tessera.scheduler.service", "io.tessera.scheduler.api")).isEmpty();
        assertThat(offending("state", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api")).isEmpty();
        assertThat(offending("service", "io.tessera.scheduler.loop", "io.tessera.scheduler.api")).isEmpty();
    }

    /**
     * The loop's stages hold the read port ({@code ClusterReads}) and write nothing themselves: every
     * leader write is a typed change through the one fenced applier. Only the assembly, which builds
     * that applier, names the store or the history; the profile store is read only by the learned
     * throughput, which every member refreshes.
     */
    @Test
    void theLoopsStagesCannotWriteTheStore() throws IOException {
        assertThat(offending("loop", "io.tessera.scheduler.state.ClusterStore", "io.tessera.scheduler.state.JobHistory"))
                .isNotEmpty().allMatch(line -> line.startsWith("loop/LoopAssembly.java: "));
        assertThat(offending("loop", "io.tessera.scheduler.state.ProfileStore"))
                .allMatch(line -> line.startsWith("loop/LearnedThroughput.java: "));
    }
}
