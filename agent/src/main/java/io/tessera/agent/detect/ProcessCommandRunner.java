package io.tessera.agent.detect;

import java.util.Map;
import java.io.OutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs tools as real child processes. A bare command name is looked up on the configured search
 * path (the agent's PATH by default) by this class, so which binary runs is explicit and testable.
 * Output is read concurrently and capped; a run past its timeout is killed with its children.
 */
public final class ProcessCommandRunner implements CommandRunner {
    private static final int MAX_OUTPUT = 8 * 1024 * 1024;
    private final String searchPath;
    private final Map<String, String> environment;

    public ProcessCommandRunner() {
        this(System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    }

    public ProcessCommandRunner(String searchPath) {
        this(searchPath, null);
    }

    /** With {@code environment} as the tool's whole environment (null: the agent's own). */
    public ProcessCommandRunner(String searchPath, Map<String, String> environment) {
        this.searchPath = searchPath;
        this.environment = environment == null ? null : Map.copyOf(environment);
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) {
        Optional<Path> exe = resolve(argv.get(0));
        if (exe.isEmpty()) {
            return new CommandResult(-1, "", "", "not found (looked on " + searchPath + ")");
        }
        List<String> cmd = new ArrayList<>(argv);
        cmd.set(0, exe.get().toString());
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (environment != null) {
                pb.environment().clear();
                pb.environment().putAll(environment);
            }
            p = pb.start();
        } catch (IOException e) {
            return new CommandResult(-1, "", "", "could not start: " + e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new CommandResult(-1, "", "", "did not answer within " + timeout.toMillis() + " ms");
            }
            return new CommandResult(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new CommandResult(-1, "", "", "interrupted");
        } catch (Exception e) {
            return new CommandResult(-1, "", "", "output could not be read: " + e.getMessage());
        }
    }

    private Optional<Path> resolve(String command) {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, command);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String drain(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_OUTPUT);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
