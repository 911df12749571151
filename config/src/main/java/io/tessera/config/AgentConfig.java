package io.tessera.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;

/**
 * Typed agent configuration.
 *
 * @param schedulerUrl        base URL of a scheduler member, e.g. {@code http://10.0.0.5:8080}, or several
 *                            separated by commas: the agent moves to the next when one stops answering
 * @param node                this node's name; unique in the cluster
 * @param address             address other nodes reach this one at (MASTER_ADDR when it hosts rank 0)
 * @param labels              free-form labels, e.g. {@code rack: r12}
 * @param devices             where the device inventory comes from: one source or a list of them
 * @param workDir             per-shard working directories, logs and the credential go under here; default
 *                            {@code /var/lib/tessera-agent/NODE} for a root agent, else
 *                            {@code ~/.local/state/tessera-agent/NODE}. It and its parents must be owned by
 *                            root (or the agent) and writable by no one else, or the agent refuses to start
 * @param heartbeatIntervalMs used until the scheduler says otherwise at registration
 * @param catalogFile         an operator chip catalog that extends the built-in one; null for none
 * @param metricsPort         port of the agent's /metrics endpoint; 0 picks a free port, -1 turns it off
 * @param metricsHost         interface the /metrics endpoint binds to; loopback by default
 * @param joinToken           the join token to enroll with (or the TESSERA_JOIN_TOKEN environment variable);
 *                            a config file holding one must not be readable by group or others
 * @param credentialFile      where the node credential is kept (mode 0600); default workDir/credential
 * @param workerUser          every worker runs as this one user (jobs are then not isolated from each
 *                            other); unset, a root agent gives each job its own uid from {@code workerUids}
 *                            and any other agent runs workers as itself
 * @param workerUids          the uid range a root agent hands out, one uid per job, as {@code FIRST-LAST};
 *                            default {@code 200000-299999}
 * @param pidNamespace        give each worker its own PID namespace; null (default) where the host allows it
 * @param joinTokenFile       a file holding the join token; the agent empties it once it holds its credential
 * @param logs                where the agent serves worker logs to the scheduler, and how large one grows
 * @param containers          how workers of shards with an image run (docs/containers.md); none by default
 */
public record AgentConfig(
        String schedulerUrl,
        String node,
        String address,
        Map<String, String> labels,
        List<DeviceSource> devices,
        String workDir,
        Long heartbeatIntervalMs,
        String catalogFile,
        Integer metricsPort,
        String metricsHost,
        String joinToken,
        String credentialFile,
        String workerUser,
        String workerUids,
        Boolean pidNamespace,
        String joinTokenFile,
        Logs logs,
        ContainerRuntimeConfig containers) {

    /**
     * The agent's log endpoint, which only the scheduler can use (it presents a key the agent
     * gave it at registration), and log rotation.
     *
     * @param port     its port; 0 (the default) picks a free one, which the agent reports
     * @param host     the interface it binds to; default the agent's {@code address}
     * @param maxBytes an attempt's log is rotated (copied to {@code .1}, then emptied) above this size;
     *                 default 64 MiB, so one attempt keeps at most twice that
     */
    public record Logs(Integer port, String host, Long maxBytes) {
        public static final Logs DEFAULT = new Logs(null, null, null);

        public Logs {
            port = SchedulerConfig.check("logs.port", port == null ? 0 : port, 0, 65535);
            maxBytes = SchedulerConfig.check("logs.maxBytes", maxBytes == null ? 64L << 20 : maxBytes, 4096, 1L << 40);
        }
    }

    public AgentConfig {
        schedulerUrl = schedulerUrl == null ? "http://127.0.0.1:8080" : schedulerUrl.strip().replaceAll("/+\\s*(,|$)", "$1");
        if (node == null || node.isBlank()) {
            throw new ValidationException("node", "is required: every agent needs a unique node name");
        }
        address = address == null ? "127.0.0.1" : address;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (devices == null || devices.isEmpty()) {
            throw new ValidationException("devices", "is required: say where devices come from (source: nvidia, "
                    + "ascend, plugin, static, auto or simulated)");
        }
        devices = List.copyOf(devices);
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new ValidationException("node", "must be 1-128 letters, digits, '.', '_' or '-'");
        }
        String me = System.getProperty("user.name");
        workDir = workDir != null ? workDir : "root".equals(me) ? "/var/lib/tessera-agent/" + node
                : System.getProperty("user.home") + "/.local/state/tessera-agent/" + node;
        metricsPort = SchedulerConfig.check("metricsPort", metricsPort == null ? 9401 : metricsPort, -1, 65535);
        metricsHost = metricsHost == null ? "127.0.0.1" : metricsHost;
        joinToken = joinToken != null ? joinToken : System.getenv("TESSERA_JOIN_TOKEN");
        credentialFile = credentialFile != null ? credentialFile : workDir + "/credential";
        workerUids = workerUids == null ? "200000-299999" : workerUids.strip();
        if (!workerUids.equals("none") && !workerUids.matches("\\d{4,10}-\\d{4,10}")) {
            throw new ValidationException("workerUids", "must be FIRST-LAST (uids of 1000 or more) or none, got '"
                    + workerUids + "'");
        }
        containers = containers == null ? ContainerRuntimeConfig.NONE : containers;
        logs = logs == null ? Logs.DEFAULT : logs;
        logs = logs.host() == null ? new Logs(logs.port(), address, logs.maxBytes()) : logs;
        heartbeatIntervalMs = SchedulerConfig.check("heartbeatIntervalMs",
                heartbeatIntervalMs == null ? 2000 : heartbeatIntervalMs, 50, 600_000);
    }

    /**
     * One device source.
     *
     * @param source    {@code nvidia} (nvidia-smi), {@code ascend} (npu-smi), {@code plugin} (an exec
     *                  plug-in), {@code static} (listed here), {@code auto} (nvidia and ascend, whichever
     *                  answers) or {@code simulated} ({@code count} devices of {@code chipType})
     * @param command   the tool or plug-in executable; defaults to nvidia-smi / npu-smi on PATH
     * @param timeoutMs how long one tool run may take before it counts as not answering
     * @param chipType  catalog chip id (simulated)
     * @param count     how many devices (simulated)
     * @param static_   the devices (static), under the key {@code devices}
     */
    /** The first and last uid of {@link #workerUids}, or empty when it is {@code none}. */
    public Optional<int[]> workerUidRange() {
        if (workerUids.equals("none")) {
            return Optional.empty();
        }
        String[] parts = workerUids.split("-");
        return Optional.of(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
    }

    public record DeviceSource(String source, String command, Long timeoutMs, String chipType, Integer count,
                               @JsonProperty("devices") List<StaticDevice> static_) {
        private static final Set<String> SOURCES = Set.of("simulated", "nvidia", "ascend", "plugin",
                "static", "auto");

        public DeviceSource {
            source = source == null ? "simulated" : source;
            if (!SOURCES.contains(source)) {
                throw new ValidationException("devices.source", "unknown source '" + source + "'; use one of "
                        + new TreeSet<>(SOURCES));
            }
            if (source.equals("simulated") && chipType == null) {
                throw new ValidationException("devices.chipType", "is required for the simulated source");
            }
            if (source.equals("plugin") && command == null) {
                throw new ValidationException("devices.command", "is required for the plugin source: the executable");
            }
            if (source.equals("static") && (static_ == null || static_.isEmpty())) {
                throw new ValidationException("devices.devices", "is required for the static source: list the devices");
            }
            count = SchedulerConfig.check("devices.count", count == null ? 8 : count, 0, 1024);
            timeoutMs = SchedulerConfig.check("devices.timeoutMs", timeoutMs == null ? 10_000L : timeoutMs, 100, 600_000);
            static_ = static_ == null ? List.of() : List.copyOf(static_);
        }

        /** A simulated source of {@code count} devices of {@code chipType}. */
        public static DeviceSource simulated(String chipType, int count) {
            return new DeviceSource("simulated", null, null, chipType, count, null);
        }
    }

    /**
     * A device of a static source.
     *
     * @param index         its index (what the visibility variable uses)
     * @param model         its product name or catalog chip id
     * @param uuid          an optional stable id
     * @param memoryGiB     memory; defaults to the catalog's
     * @param healthy       false marks it unhealthy
     * @param visibilityEnv its visibility variable when the catalog's does not apply
     */
    public record StaticDevice(int index, String model, String uuid, Double memoryGiB, Boolean healthy,
                               String visibilityEnv) {
        public StaticDevice {
            if (model == null) {
                throw new ValidationException("devices.devices.model", "is required for every static device");
            }
        }
    }
}
