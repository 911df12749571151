package io.tessera.agent.worker;

import io.tessera.agent.container.ContainerRun;
import io.tessera.agent.container.ContainerRuntime;
import io.tessera.config.wire.ShardAssignment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container side of the {@link WorkerSupervisor}: makes images present off the supervisor's
 * lock, starts and stops workers' containers, and deals with the containers an earlier agent of
 * this node left. Those still running wait for the first assignment set: the ones it still assigns
 * are adopted (supervised again, not restarted), the rest removed. Stopped ones are removed at once.
 */
final class ContainerWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerWorkers.class);
    private final ContainerRuntime runtime;
    private final ContainerStarter starter;
    /** Makes images present (a pull may take minutes) and stops containers, off the supervisor's lock. */
    private final ExecutorService work = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tessera-containers");
        t.setDaemon(true);
        return t;
    });
    /** Running containers an earlier agent left, by worker key, until the first assignment set settles them. */
    private Map<String, ContainerRuntime.Labelled> found = new HashMap<>();

    ContainerWorkers(Path workDir, ShardFiles files, WorkerIdentity identity, ContainerRuntime runtime, String node,
                     List<ContainerRun.Mount> allowedMounts, WorkerStarter contract) {
        this.runtime = runtime;
        this.starter = new ContainerStarter(workDir, files, identity, runtime, node, allowedMounts, contract);
        for (ContainerRuntime.Labelled c : runtime.list(node)) {
            if (c.running()) {
                found.put(c.key(), c);
            } else {
                runtime.remove(c.name());
            }
        }
        if (!found.isEmpty()) {
            LOG.info("found {} running containers an earlier agent of this node started: {}", found.size(), found.keySet());
        }
    }

    /** The running container of worker {@code key} an earlier agent left, taken out of those found, if any. */
    Optional<ContainerRuntime.Labelled> adoptable(String key) {
        return found == null ? Optional.empty() : Optional.ofNullable(found.remove(key));
    }

    /** Once the first assignment set is applied: removes every found container it did not claim. */
    void settled() {
        if (found == null) {
            return;
        }
        found.values().forEach(c -> {
            LOG.info("removing container {} (shard {} of {}, attempt {}): no longer assigned", c.name(), c.shard(),
                    c.jobId(), c.attempt());
            runtime.remove(c.name());
        });
        found = null;
    }

    /** Makes {@code a}'s image present off the caller's thread, then tells {@code ready} or {@code unavailable}. */
    void prepare(ShardAssignment a, Consumer<ContainerRuntime.Prepared> ready, Consumer<String> unavailable) {
        work.execute(() -> {
            try {
                ContainerRuntime.Prepared image = runtime.prepare(a.image());
                ready.accept(image);
            } catch (ContainerRuntime.ImageUnavailable e) {
                unavailable.accept(e.getMessage());
            } catch (RuntimeException e) {
                unavailable.accept("could not make image " + a.image() + " present: " + e.getMessage());
            }
        });
    }

    /** Starts {@code w}'s container from {@code image}. */
    Process start(Worker w, ContainerRuntime.Prepared image) throws IOException {
        return starter.start(w, image);
    }

    /** Supervises {@code c} as {@code w}'s container. */
    Process adopt(Worker w, ContainerRuntime.Labelled c) throws IOException {
        return starter.adopt(w, c);
    }

    /** Stops {@code name}: SIGTERM to its worker, SIGKILL after {@code graceMs}, then removed; off the caller's thread. */
    void stop(String name, long graceMs) {
        work.execute(() -> runtime.stop(name, graceMs));
    }

    /** Removes {@code name} now (the agent shuts down). */
    void remove(String name) {
        runtime.remove(name);
    }

    @Override
    public void close() {
        work.shutdownNow();
    }
}
