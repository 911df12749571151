package io.tessera.scheduler.cli;

import io.tessera.scheduler.placement.PlacementEngine;
import java.io.UncheckedIOException;
import io.tessera.config.ConfigLoader;
import io.tessera.config.SchedulerConfig;
import io.tessera.config.ValidationException;
import io.tessera.scheduler.SchedulerNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tessera scheduler [--config FILE] [--port N]}: runs one scheduler member until interrupted. */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Run a scheduler member (state, REST API, and the scheduling loop when it leads).")
final class SchedulerCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "scheduler config file (YAML); defaults apply without one")
    Path config;

    @Option(names = {"-p", "--port"}, description = "REST API port, overriding the config")
    Integer port;

    /** Exits with {@code status} (shutdown hooks run), or halts if they hang on a broken database. */
    static void exitForRestart(int status) {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(20_000); // not a wait for a condition: the last resort if shutdown hangs
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(status);
        }, "tessera-exit-watchdog");
        halt.setDaemon(true);
        halt.start();
        new Thread(() -> System.exit(status), "tessera-exit").start();
    }

    @Override
    public Integer call() throws InterruptedException {
        SchedulerConfig cfg;
        try {
            cfg = ConfigLoader.load(Optional.ofNullable(config), SchedulerConfig.class);
        } catch (ValidationException | UncheckedIOException e) {
            System.err.println("tessera scheduler: invalid config: " + e.getMessage());
            return 2;
        }
        if (port != null) {
            cfg = cfg.withEndpoint(port, cfg.clusterName());
        }
        SchedulerNode node = SchedulerNode.start(cfg, Clock.systemUTC(), new PlacementEngine(),
                SchedulerCommand::exitForRestart);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }, "tessera-scheduler-shutdown"));
        System.err.println("tessera scheduler listening on " + cfg.httpHost() + ":" + node.port());
        stop.await();
        return 0;
    }
}
