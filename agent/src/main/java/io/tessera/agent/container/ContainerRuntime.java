package io.tessera.agent.container;

import io.tessera.config.wire.ContainerSupport;
import java.util.List;

/**
 * A container engine the agent runs workers with. One small port; {@link PodmanRuntime} is the
 * first adapter. The worker's process is the engine's foreground {@code run} command, so the
 * supervisor waits on it, reads its exit code and sends it SIGTERM (which the engine passes on to
 * the worker) as it does for a host process; {@link #remove} makes sure nothing outlives it.
 */
public interface ContainerRuntime {
    /** What this node offers, for its registration. */
    ContainerSupport support();

    /**
     * Makes {@code image} present on this node (pulling it when it is not, within the configured
     * timeout) and says exactly which image that is.
     *
     * @throws ImageUnavailable when it cannot be pulled or does not exist: the job's fault
     */
    Prepared prepare(String image) throws ImageUnavailable;

    /**
     * An image made present.
     *
     * @param id     the local image id, which the container is run from (so a tag moved meanwhile changes nothing)
     * @param digest its digest, reported to the scheduler ({@code sha256:...})
     */
    record Prepared(String id, String digest) {
    }

    /** The argv that runs {@code run} in the foreground, its output on the process's own stdout and stderr. */
    List<String> runArgv(ContainerRun run);

    /** Stops {@code name} (SIGTERM, then SIGKILL after {@code graceMs}) and removes it; waits for it. */
    void stop(String name, long graceMs);

    /**
     * The argv of a process that waits for the running container {@code name} and exits with its
     * exit code: how an agent that restarted supervises a container its predecessor started.
     */
    List<String> waitArgv(String name);

    /** Removes {@code name} at once, killing it if it runs; nothing if there is none. */
    void remove(String name);

    /**
     * The containers labelled as started by the agent {@code owner} (its node and work directory,
     * so two agents of one name on one host, such as two demos, never take each other's), running or not.
     */
    List<Labelled> list(String owner);

    /**
     * A container this agent started, as its labels say.
     *
     * @param name    its name
     * @param jobId   the job
     * @param shard   the shard
     * @param attempt the gang attempt
     * @param running whether it is running now
     * @param digest  the digest of its image, as the agent that started it resolved it
     */
    record Labelled(String name, String jobId, int shard, int attempt, boolean running, String digest) {
        /** The worker key it belongs to: {@code job/shard/attempt}. */
        public String key() {
            return jobId + "/" + shard + "/" + attempt;
        }
    }

    /** The image could not be made present: it does not exist, or the pull failed or took too long. */
    final class ImageUnavailable extends Exception {
        public ImageUnavailable(String message) {
            super(message);
        }
    }
}
