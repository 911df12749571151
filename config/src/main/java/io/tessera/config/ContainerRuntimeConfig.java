package io.tessera.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How an agent runs workers whose shards name an image ({@code containers} in the agent's config).
 * Defaults run none: an operator turns containers on per node.
 *
 * @param runtime       {@code podman}, or {@code none} (the default): shards with an image are then never placed here
 * @param ociRuntime    the OCI runtime Podman uses ({@code runc}, {@code crun}); null for Podman's default
 * @param ulimits       limits set in every container, as Podman's {@code name=soft:hard}; some hosts refuse
 *                      Podman's defaults, so they are explicit: default {@code nofile=20000:20000} and
 *                      {@code nproc=20000:20000}
 * @param shmSize       the size of {@code /dev/shm} in each container (NCCL and HCCL use it); default {@code 8g}
 * @param ipc           {@code private} (default) or {@code host}: the IPC namespace of a worker's container
 * @param pullTimeoutMs how long pulling an image may take before the shard is refused; default 10 minutes
 * @param allowedMounts host directories mounted into every container, as {@code /host/path[:/in/container][:ro]};
 *                      nothing else of the host is visible in a container
 * @param extraArgs     further options for {@code podman run}, each starting with {@code --} (for this host's quirks)
 */
public record ContainerRuntimeConfig(String runtime, String ociRuntime, List<String> ulimits, String shmSize, String ipc,
                                     Long pullTimeoutMs, List<String> allowedMounts, List<String> extraArgs) {
    private static final Pattern ULIMIT = Pattern.compile("[a-z]+=-?[0-9]+(:-?[0-9]+)?");
    private static final Pattern MOUNT = Pattern.compile("/[^:,\\x00]*(:/[^:,\\x00]*)?(:ro)?");
    /** No containers: the default (built after the patterns it is checked with). */
    public static final ContainerRuntimeConfig NONE = new ContainerRuntimeConfig(null, null, null, null, null, null, null,
            null);

    public ContainerRuntimeConfig {
        runtime = runtime == null ? "none" : runtime;
        if (!List.of("podman", "none").contains(runtime)) {
            throw new ValidationException("containers.runtime", "must be podman or none, got '" + runtime + "'");
        }
        if (ociRuntime != null && !ociRuntime.matches("[A-Za-z0-9/_.-]{1,256}")) {
            throw new ValidationException("containers.ociRuntime", "must be a runtime name or path like runc or crun");
        }
        ulimits = ulimits == null ? List.of("nofile=20000:20000", "nproc=20000:20000") : List.copyOf(ulimits);
        ulimits.forEach(u -> {
            if (!ULIMIT.matcher(u).matches()) {
                throw new ValidationException("containers.ulimits", "'" + u + "' is not name=soft:hard, like nofile=20000:20000");
            }
        });
        shmSize = shmSize == null ? "8g" : shmSize;
        if (!shmSize.matches("[0-9]{1,12}[bkmgBKMG]?")) {
            throw new ValidationException("containers.shmSize", "must be a size like 8g or 512m, got '" + shmSize + "'");
        }
        ipc = ipc == null ? "private" : ipc;
        if (!List.of("private", "host").contains(ipc)) {
            throw new ValidationException("containers.ipc", "must be private or host, got '" + ipc + "'");
        }
        pullTimeoutMs = SchedulerConfig.check("containers.pullTimeoutMs", pullTimeoutMs == null ? 600_000L : pullTimeoutMs,
                1000, 24 * 3_600_000L);
        allowedMounts = allowedMounts == null ? List.of() : List.copyOf(allowedMounts);
        allowedMounts.forEach(m -> {
            if (!MOUNT.matcher(m).matches() || List.of(m.split("[/:]")).contains("..")) {
                throw new ValidationException("containers.allowedMounts", "'" + m
                        + "' is not /host/path[:/in/container][:ro] (absolute, no '..')");
            }
        });
        extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
        extraArgs.forEach(a -> {
            if (!a.startsWith("--")) {
                throw new ValidationException("containers.extraArgs", "'" + a + "' must be an option starting with --");
            }
        });
    }

    /** Whether this node runs containers at all. */
    public boolean enabled() {
        return !runtime.equals("none");
    }
}
