package io.tessera.agent;

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
        } catch (ValidationException e) {
            System.err.println("tessera agent: invalid config " + config + ": " + e.getMessage());
            return 2;
        }
        Agent agent = Agent.start(cfg);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stop.countDown();
        }, "tessera-agent-shutdown"));
        stop.await();
        return 0;
    }
}
