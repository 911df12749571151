package io.tessera.agent.container;

import io.tessera.agent.detect.CommandResult;
import io.tessera.agent.detect.ProcessCommandRunner;
import io.tessera.config.ContainerRuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the agent's {@link ContainerRuntime} from its {@code containers} config, and checks that it answers. */
public final class Containers {
    private static final Logger LOG = LoggerFactory.getLogger(Containers.class);
    /** The environment of every runtime command: a fixed PATH and locale, nothing of the agent's. */
    static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL", "C");

    private Containers() {
    }

    /**
     * The runtime {@code config} names, checked to answer here.
     *
     * @throws IllegalStateException when it is not installed or does not answer: the agent refuses to start
     */
    public static ContainerRuntime runtime(ContainerRuntimeConfig config) {
        String podman = List.of("/usr/bin/podman", "/usr/local/bin/podman", "/bin/podman").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException("containers.runtime is podman, but podman is not installed "
                        + "(apt-get install podman runc); set containers.runtime: none to run host processes only"));
        PodmanRuntime runtime = new PodmanRuntime(config, new ProcessCommandRunner(ENV.get("PATH"), ENV), podman,
                CdiSpecs.devices(CdiSpecs.DIRS));
        CommandResult check = runtime.check();
        if (!check.ok()) {
            throw new IllegalStateException("containers.runtime is podman, but it does not answer here: "
                    + check.describe("podman info") + " (docs/containers.md)");
        }
        LOG.info("workers of shards with an image run in Podman containers ({} {})", check.stdout().strip(),
                config.ociRuntime() == null ? "" : "with " + config.ociRuntime());
        return runtime;
    }

    /** The configured {@code allowedMounts} as mounts. */
    public static List<ContainerRun.Mount> mounts(ContainerRuntimeConfig config) {
        return config.allowedMounts().stream().map(Containers::mount).toList();
    }

    /** One {@code allowedMounts} entry, {@code /host[:/inside][:ro]}, as a mount. */
    public static ContainerRun.Mount mount(String spec) {
        boolean ro = spec.endsWith(":ro");
        String rest = ro ? spec.substring(0, spec.length() - 3) : spec;
        String[] parts = rest.split(":", 2);
        return new ContainerRun.Mount(Path.of(parts[0]), Path.of(parts.length > 1 ? parts[1] : parts[0]), ro);
    }
}
