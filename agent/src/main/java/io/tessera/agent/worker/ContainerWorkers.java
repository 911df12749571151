package io.tessera.agent.worker;

import io.tessera.agent.container.ContainerRun;
import io.tessera.agent.container.ContainerRuntime;
import io.tessera.config.wire.ShardAssignment;
import io.tessera.config.wire.ShardReport;
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
        for (ContainerRuntime.Labelled c : runtime.list(ContainerStarter.owner(node, workDir))) {
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

    /** A way of starting a worker's process. */
    interface Start {
        Process start() throws IOException;
    }

    /** What the supervisor does for this class, each called holding {@link #lock}. */
    interface Supervision {
        /** The supervisor's lock. */
        Object lock();

        /** Starts {@code w}'s process {@code how}, and follows it. */
        void started(Worker w, Start how);

        /** The agent will not start {@code w}: the job's fault. */
        void refused(Worker w, ShardReport.Refusal why, String message);

        /** {@code p} follows {@code w}'s adopted container. */
        void adopted(Worker w, Process p);

        /** The container could not be adopted (it is gone): start {@code w} as any other. */
        void notAdopted(Worker w);

        /** A worker's report changed: tell the scheduler soon. */
        void changed();
    }

    /**
     * Makes {@code w}'s image present off the supervisor's lock, reports the digest it resolved to,
     * and starts its container once the scheduler pinned that digest ({@link #startIfPinned}).
     */
    void launch(Worker w, Supervision s) {
        prepare(w.assignment, image -> {
            synchronized (s.lock()) {
                if (w.state == WorkerLifecycle.State.LAUNCHING) {
                    w.prepared = image;
                    w.imageDigest = image.digest();
                    s.changed(); // the scheduler hears the digest at once, to pin it
                    startIfPinned(w, s);
                }
            }
        }, why -> {
            synchronized (s.lock()) {
                if (w.state == WorkerLifecycle.State.LAUNCHING) {
                    s.refused(w, ShardReport.Refusal.IMAGE_PULL_FAILED, why);
                }
            }
        });
    }

    /**
     * Starts {@code w}'s container once both its image is present and the scheduler pinned the
     * digest its job's shards start on; refuses it if this node resolved the image to another.
     * Called holding the supervisor's lock.
     */
    void startIfPinned(Worker w, Supervision s) {
        String pin = w.pinned != null ? w.pinned : w.assignment.imageDigest();
        if (w.prepared == null || pin == null || w.state != WorkerLifecycle.State.LAUNCHING) {
            return;
        }
        if (!pin.equals(w.prepared.digest())) {
            s.refused(w, ShardReport.Refusal.IMAGE_DIGEST_MISMATCH, "image " + w.assignment.image() + " resolved on this "
                    + "node to " + w.prepared.digest() + ", but the job's shards start on " + pin + "; the shard was not started");
            return;
        }
        ContainerRuntime.Prepared image = w.prepared;
        s.started(w, () -> starter.start(w, image));
    }

    /** Supervises {@code c}, the container an earlier agent started for {@code w}, rather than starting another. */
    void adopt(Worker w, ContainerRuntime.Labelled c, Supervision s) {
        try {
            s.adopted(w, starter.adopt(w, c));
            LOG.info("adopted container {} of shard {} of {} (attempt {})", c.name(), c.shard(), c.jobId(), c.attempt());
        } catch (IOException e) {
            LOG.warn("could not adopt container {}: {}; it is removed and the shard started again", c.name(), e.getMessage());
            runtime.remove(c.name());
            s.notAdopted(w);
        }
    }

    /** Makes {@code a}'s image present off the caller's thread, then tells {@code ready} or {@code unavailable}. */
    private void prepare(ShardAssignment a, Consumer<ContainerRuntime.Prepared> ready, Consumer<String> unavailable) {
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
