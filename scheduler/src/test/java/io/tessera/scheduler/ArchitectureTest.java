package io.tessera.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
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
                "io.tessera.scheduler.cli", "io.tessera.scheduler.state.hazelcast", "io.tessera.scheduler.state.jdbc")).isEmpty();
    }

    @Test
    void nothingImportsUpward() throws IOException {
        assertThat(offending("model", "io.tessera.scheduler.state", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api")).isEmpty();
        assertThat(offending("placement", "io.tessera.scheduler.state", "io.tessera.scheduler.loop",
                "io.tessera.scheduler.service", "io.tessera.scheduler.api")).isEmpty();
        assertThat(offending("state", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api", "io.tessera.scheduler.auth")).isEmpty();
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

    /**
     * Ports in {@code state/}, each adapter in its folder: Hazelcast is named only in
     * {@code state/hazelcast/} (and by the JDBC write-through it plugs into), SQL only in
     * {@code state/jdbc/} (and by the member that starts the pool), and the in-memory adapter names
     * neither. The ports name no adapter.
     */
    @Test
    void adaptersLiveInTheirFolders() throws IOException {
        assertThat(offending("state", "com.hazelcast")).isNotEmpty().allMatch(line -> line.startsWith("state/hazelcast/")
                || line.startsWith("state/jdbc/JdbcMapStore.java: "));
        assertThat(offending("state", "java.sql", "javax.sql", "com.zaxxer")).isNotEmpty().allMatch(line ->
                line.startsWith("state/jdbc/") || line.startsWith("state/hazelcast/HazelcastMember.java: "));
        assertThat(offending("state/memory", "com.hazelcast", "java.sql", "javax.sql", "io.tessera.scheduler.state.hazelcast",
                "io.tessera.scheduler.state.jdbc")).isEmpty();
        List<String> ports = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("state"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Files.readAllLines(f).stream().filter(l -> l.startsWith("import com.hazelcast") || l.startsWith("import java.sql")
                        || l.startsWith("import javax.sql") || l.matches("import io\\.tessera\\.scheduler\\.state\\.[a-z]+\\..*"))
                        .forEach(l -> ports.add(f.getFileName() + ": " + l));
            }
        }
        assertThat(ports).isEmpty();
    }

    /**
     * What the loop remembers between passes is in one place, {@code CycleMemory}, and its parts
     * (the blocked set, the preemption claims, the progress anchors); a stage creates no collection
     * of its own to remember in. {@code WaitingNotes} gathers one pass's notes, drained at its end.
     */
    @Test
    void theLoopsStagesKeepNoMemoryOfTheirOwn() throws IOException {
        Pattern field = Pattern.compile("^ {4}(?! )(private |protected |public )?(static )?(final )?[\\w<>, .?]+ \\w+ = "
                + "(new (Hash|Tree|LinkedHash|ConcurrentHash|Array|Enum)\\w*|ConcurrentHashMap\\.newKeySet)");
        Set<String> memory = Set.of("CycleMemory.java", "BlockedSet.java", "PreemptionClaims.java", "ProgressAnchors.java",
                "WaitingNotes.java");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("loop"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (memory.contains(f.getFileName().toString())) {
                    continue;
                }
                Files.readAllLines(f).stream().filter(l -> field.matcher(l).find())
                        .forEach(l -> out.add(f.getFileName() + ": " + l.strip()));
            }
        }
        assertThat(out).isEmpty();
    }

    /**
     * The stages decide and the loop commits: a stage returns a {@code StageDecision} and holds no
     * applier; the loop commits the whole pass once. ({@code Committer} commits one stage's decision
     * for tests that run that stage alone.)
     */
    @Test
    void onlyTheLoopCommitsTheStagesDecisions() throws IOException {
        Pattern holds = Pattern.compile("PlanApplier [a-z]\\w*[,;)]");
        Set<String> committers = Set.of("SchedulingLoop.java", "LoopAssembly.java", "StageDecision.java", "Committer.java");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("loop"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (!committers.contains(f.getFileName().toString())) {
                    Files.readAllLines(f).stream().filter(l -> holds.matcher(l).find())
                            .forEach(l -> out.add(f.getFileName() + ": " + l.strip()));
                }
            }
        }
        assertThat(out).isEmpty();
    }

    /**
     * One cycle state per pass: only the loop refreshes or rebuilds the view, once, before it reads
     * the pass's {@code CycleState}; the stages decide on the state they are given, and commit
     * nothing. (The queue stage's one-stage entry for tests, {@code placeQueued}, refreshes too.)
     */
    @Test
    void onlyTheLoopRefreshesTheView() throws IOException {
        Pattern refresh = Pattern.compile("view\\.(refresh|rebuild)\\(");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("loop"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    boolean testEntry = f.endsWith("QueuePlacer.java") && i > 0 && lines.get(i - 1).contains("placeQueued(");
                    if (refresh.matcher(lines.get(i)).find() && !f.endsWith("SchedulingLoop.java") && !testEntry) {
                        out.add(f.getFileName() + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(out).isEmpty();
    }

    /** Policies are pure functions of their inputs: no store, no loop, no edge, no Hazelcast or Vert.x. */
    @Test
    void policiesArePure() throws IOException {
        assertThat(offending("policy", "io.tessera.scheduler.state", "io.tessera.scheduler.loop",
                "io.tessera.scheduler.service", "io.tessera.scheduler.api", "io.tessera.scheduler.auth",
                "io.tessera.scheduler.metrics", "com.hazelcast", "io.vertx")).isEmpty();
    }

    /**
     * Authentication sits below the edge and above the store; metrics read and never reach the loop
     * or the edge; the edge reaches the store through its port, never through the Hazelcast adapter
     * (it only maps Hazelcast's exceptions to problems).
     */
    @Test
    void authMetricsAndTheEdgeKeepTheirPlace() throws IOException {
        assertThat(offending("auth", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api", "io.tessera.scheduler.metrics", "io.vertx")).isEmpty();
        assertThat(offending("metrics", "io.tessera.scheduler.loop", "io.tessera.scheduler.service",
                "io.tessera.scheduler.api", "io.tessera.scheduler.auth")).isEmpty();
        assertThat(offending("api", "io.tessera.scheduler.loop", "io.tessera.scheduler.state.hazelcast",
                "io.tessera.scheduler.state.jdbc", "io.tessera.scheduler.state.memory",
                "com.hazelcast")).allMatch(line -> line.startsWith("api/Problems.java: import com.hazelcast.core.Hazelcast")
                && line.endsWith("Exception;"));
    }

    /** Types are imported, never written out with their package in code (strings and comments, such as class names to run, aside). */
    @Test
    void noInlineQualifiedNames() throws IOException {
        Pattern qualified = Pattern.compile(
                "(?<![\\w.])(io\\.tessera|java|javax|com|org)(\\.[a-z_][a-z0-9_]*)+\\.[A-Z]");
        List<String> out = new ArrayList<>();
        for (Path src : List.of(ROOT, Path.of("../config/src/main/java"), Path.of("../agent/src/main/java"),
                Path.of("../bench/src/main/java"))) {
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String code = line.replaceAll("\"([^\"\\\\]|\\\\.)*\"", "\"\"");
                        String t = code.strip();
                        boolean comment = t.startsWith("*") || t.startsWith("//") || t.startsWith("/*");
                        if (!comment && !t.startsWith("import ") && !t.startsWith("package ") && qualified.matcher(t).find()) {
                            out.add(f + ": " + line.strip());
                        }
                    }
                }
            }
        }
        assertThat(out).isEmpty();
    }
}
