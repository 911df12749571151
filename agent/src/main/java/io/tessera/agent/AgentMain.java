package io.tessera.agent;

import io.tessera.config.Documents;
import java.io.IOException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import io.tessera.config.AgentConfig;
import io.tessera.config.ConfigLoader;
import io.tessera.config.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tessera agent --config FILE}: runs a node agent until interrupted. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a node agent: detect devices, heartbeat, run assigned workers.")
public final class AgentMain implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "agent config file (YAML)")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig cfg;
        try {
            if (!Files.isReadable(config)) {
                System.err.println("tessera agent: cannot read config file " + config);
                return 2;
            }
            cfg = ConfigLoader.load(Optional.of(config), AgentConfig.class);
            refuseReadableJoinToken(config);
        } catch (ValidationException | IllegalStateException e) {
            System.err.println("tessera agent: invalid config " + config + ": " + e.getMessage());
            return 2;
        }
        Agent agent;
        try {
            agent = Agent.start(cfg);
        } catch (IllegalStateException | UncheckedIOException e) {
            System.err.println("tessera agent: " + e.getMessage());
            return 2;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stop.countDown();
        }, "tessera-agent-shutdown"));
        stop.await();
        return 0;
    }

    /**
     * A join token lets any machine enroll: a config file (or token file) holding one must not be
     * readable by group or others, where a worker or a local user could copy it.
     */
    static void refuseReadableJoinToken(Path config) {
        JsonNode doc = Documents.readFile(config);
        if (doc.hasNonNull("joinToken")) {
            requirePrivate(config, "it holds a joinToken");
        }
        if (doc.hasNonNull("joinTokenFile")) {
            Path file = Path.of(doc.get("joinTokenFile").asText());
            if (Files.exists(file)) {
                requirePrivate(file, "it is the joinTokenFile");
            }
        }
    }

    private static void requirePrivate(Path file, String why) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            if ((mode & 0077) != 0) {
                throw new IllegalStateException(file + " is readable by group or others (mode "
                        + Integer.toOctalString(mode & 0777) + ") and " + why + "; chmod 600 it");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot check the mode of " + file + ": " + e.getMessage());
        }
    }
}
