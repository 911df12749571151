package io.tessera.agent.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One worker's container, as the agent asks the {@link ContainerRuntime} to run it. Every path
 * is mounted at the same path inside, so the worker contract's paths hold in the container too.
 *
 * @param name    the container's name, unique on the node
 * @param image   the image, as resolved by {@link ContainerRuntime#prepare}
 * @param user    {@code uid:gid} the worker runs as inside (and outside) the container; null: the image's
 * @param envFile a 0600 file of {@code NAME=value} lines: the worker's whole environment
 * @param mounts  what of the host the container sees
 * @param workDir the worker's working directory (one of the mounts)
 * @param devices device nodes (paths) or CDI names handed in
 * @param labels  the labels that let the agent find it again (node, job, shard, attempt)
 * @param argv    the worker's command
 */
public record ContainerRun(String name, String image, String user, Path envFile, List<Mount> mounts, Path workDir,
                           List<String> devices, Map<String, String> labels, List<String> argv) {
    public ContainerRun {
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
        labels = Map.copyOf(labels);
        argv = List.copyOf(argv);
    }

    /**
     * A host path seen in the container.
     *
     * @param host     the host path
     * @param inside   where it appears in the container
     * @param readOnly whether the container may only read it
     */
    public record Mount(Path host, Path inside, boolean readOnly) {
        /** {@code path} at the same path inside. */
        public static Mount same(Path path, boolean readOnly) {
            return new Mount(path, path, readOnly);
        }
    }
}
