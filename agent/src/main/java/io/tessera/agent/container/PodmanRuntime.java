package io.tessera.agent.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.agent.detect.CommandResult;
import io.tessera.agent.detect.CommandRunner;
import io.tessera.config.ContainerRuntimeConfig;
import io.tessera.config.wire.ContainerSupport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs workers with Podman (Debian's {@code podman}). Each worker gets its own container: the
 * job's uid inside and out, no capabilities, {@code no-new-privileges}, its own PID namespace with
 * a small init ({@code --init}) that passes SIGTERM on, the host's network (NCCL, HCCL and RDMA
 * need it), the configured IPC namespace, {@code /dev/shm} size and ulimits, only the mounts and
 * devices the agent names, and its output passed straight to the process's own stdout and stderr
 * ({@code --log-driver=passthrough}), which the supervisor points at the attempt's log file. The
 * container is removed when it ends ({@code --rm}). Thread-safe.
 */
public final class PodmanRuntime implements ContainerRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(PodmanRuntime.class);
    private static final Duration QUICK = Duration.ofSeconds(60);
    /** The labels that find a worker's container again. */
    public static final String NODE = "io.tessera.node";
    /** The agent that started it: its node and work directory. */
    public static final String OWNER = "io.tessera.agent";
    public static final String JOB = "io.tessera.job";
    public static final String SHARD = "io.tessera.shard";
    public static final String ATTEMPT = "io.tessera.attempt";
    public static final String DIGEST = "io.tessera.digest";
    private final ContainerRuntimeConfig config;
    private final CommandRunner runner;
    private final String podman;
    private final List<String> cdi;

    /**
     * @param podman the podman executable
     * @param cdi    the CDI device names this node's specs declare ({@link CdiSpecs})
     */
    public PodmanRuntime(ContainerRuntimeConfig config, CommandRunner runner, String podman, List<String> cdi) {
        this.config = config;
        this.runner = runner;
        this.podman = podman;
        this.cdi = List.copyOf(cdi);
    }

    @Override
    public ContainerSupport support() {
        CommandResult v = runner.run(List.of(podman, "version", "--format", "{{.Client.Version}}"), QUICK);
        return new ContainerSupport("podman", v.ok() ? v.stdout().strip() : null, cdi);
    }

    /** Whether Podman answers here at all; the agent refuses to start with containers on when it does not. */
    public CommandResult check() {
        return runner.run(List.of(podman, "info", "--format", "{{.Host.OCIRuntime.Name}}"), QUICK);
    }

    @Override
    public Prepared prepare(String image) throws ImageUnavailable {
        CommandResult inspect = inspect(image);
        if (!inspect.ok()) {
            LOG.info("pulling image {}", image);
            CommandResult pull = runner.run(List.of(podman, "pull", "--quiet", image),
                    Duration.ofMillis(config.pullTimeoutMs()));
            if (!pull.ok()) {
                throw new ImageUnavailable("image " + image + " is not on this node and could not be "
                        + "pulled: " + pull.describe("podman pull"));
            }
            inspect = inspect(image);
            if (!inspect.ok()) {
                throw new ImageUnavailable("image " + image + " was pulled but cannot be inspected: "
                        + inspect.describe("podman image inspect"));
            }
        }
        String[] parts = inspect.stdout().strip().split("\\s+");
        String id = parts[0];
        String digest = parts.length > 1 && parts[1].startsWith("sha256:") ? parts[1] : "sha256:" + id;
        return new Prepared(id, digest);
    }

    private CommandResult inspect(String image) {
        return runner.run(List.of(podman, "image", "inspect", "--format", "{{.Id}} {{.Digest}}", image), QUICK);
    }

    @Override
    public List<String> runArgv(ContainerRun run) {
        List<String> argv = new ArrayList<>(List.of(podman));
        if (config.ociRuntime() != null) {
            argv.addAll(List.of("--runtime", config.ociRuntime()));
        }
        argv.addAll(List.of("run", "--rm", "--name", run.name(), "--pull=never", "--init", "--log-driver=passthrough",
                "--network=host", "--ipc=" + config.ipc(), "--shm-size=" + config.shmSize(), "--cap-drop=all",
                "--security-opt=no-new-privileges", "--env-file", run.envFile().toString(), "--workdir",
                run.workDir().toString()));
        if (run.user() != null) {
            argv.add("--user=" + run.user());
        }
        config.ulimits().forEach(u -> argv.add("--ulimit=" + u));
        for (ContainerRun.Mount m : run.mounts()) {
            argv.add("--volume=" + m.host() + ":" + m.inside() + (m.readOnly() ? ":ro" : ":rw"));
        }
        run.devices().forEach(d -> argv.add("--device=" + d));
        new TreeMap<>(run.labels()).forEach((k, v) -> argv.add("--label=" + k + "=" + v));
        argv.addAll(config.extraArgs());
        argv.add(run.image());
        argv.addAll(run.argv());
        return argv;
    }

    @Override
    public void stop(String name, long graceMs) {
        long seconds = Math.max(1, (graceMs + 999) / 1000);
        CommandResult r = runner.run(List.of(podman, "stop", "--ignore", "--time", Long.toString(seconds), name),
                Duration.ofSeconds(seconds + 60));
        if (!r.ok()) {
            LOG.warn("stopping container {}: {}", name, r.describe("podman stop"));
        }
        remove(name);
    }

    @Override
    public void remove(String name) {
        CommandResult r = runner.run(List.of(podman, "rm", "--force", "--ignore", "--time", "0", name), QUICK);
        if (!r.ok()) {
            LOG.warn("removing container {}: {}", name, r.describe("podman rm"));
        }
    }

    @Override
    public List<Labelled> list(String owner) {
        CommandResult r = runner.run(List.of(podman, "ps", "--all", "--filter", "label=" + OWNER + "=" + owner,
                "--format", "json"), QUICK);
        if (!r.ok()) {
            LOG.warn("listing this node's containers: {}", r.describe("podman ps"));
            return List.of();
        }
        List<Labelled> out = new ArrayList<>();
        try {
            JsonNode all = new ObjectMapper().readTree(r.stdout().isBlank() ? "[]" : r.stdout());
            for (JsonNode c : all) {
                JsonNode labels = c.path("Labels");
                String name = c.path("Names").path(0).asText();
                out.add(new Labelled(name, labels.path(JOB).asText(), labels.path(SHARD).asInt(-1),
                        labels.path(ATTEMPT).asInt(-1), "running".equalsIgnoreCase(c.path("State").asText()),
                        labels.path(DIGEST).asText(null)));
            }
        } catch (IOException e) {
            LOG.warn("could not read podman ps output: {}", e.getMessage());
        }
        return out;
    }

    @Override
    public List<String> waitArgv(String name) {
        return List.of("/bin/sh", "-c", "c=$(\"$0\" wait \"$1\") || exit 125; exit \"$c\"", podman, name);
    }

    /** The labels of one worker's container started by agent {@code owner}, with the digest of the image it runs. */
    public static Map<String, String> labels(String owner, String node, String jobId, int shard, int attempt, String digest) {
        return Map.of(OWNER, owner, NODE, node, JOB, jobId, SHARD, Integer.toString(shard), ATTEMPT,
                Integer.toString(attempt), DIGEST, digest);
    }
}
