package io.tessera.config;

import java.util.Map;

/**
 * Typed agent configuration.
 *
 * @param schedulerUrl        base URL of any scheduler member, e.g. {@code http://10.0.0.5:8080}
 * @param node                this node's name; unique in the cluster
 * @param address             address other nodes reach this one at (MASTER_ADDR when it hosts rank 0)
 * @param labels              free-form labels, e.g. {@code rack: r12}
 * @param devices             where the device inventory comes from
 * @param workDir             per-shard working directories and logs go under here
 * @param heartbeatIntervalMs used until the scheduler says otherwise at registration
 * @param catalogFile         an operator chip catalog that extends the built-in one; null for none
 */
public record AgentConfig(
        String schedulerUrl,
        String node,
        String address,
        Map<String, String> labels,
        DeviceSource devices,
        String workDir,
        Long heartbeatIntervalMs,
        String catalogFile) {

    public AgentConfig {
        schedulerUrl = schedulerUrl == null ? "http://127.0.0.1:8080" : schedulerUrl.replaceAll("/+$", "");
        if (node == null || node.isBlank()) {
            throw new ValidationException("node", "is required: every agent needs a unique node name");
        }
        address = address == null ? "127.0.0.1" : address;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (devices == null) {
            throw new ValidationException("devices", "is required: say where devices come from (source: simulated, ...)");
        }
        workDir = workDir == null ? System.getProperty("java.io.tmpdir") + "/tessera-agent-" + node : workDir;
        heartbeatIntervalMs = SchedulerConfig.check("heartbeatIntervalMs",
                heartbeatIntervalMs == null ? 2000 : heartbeatIntervalMs, 50, 600_000);
    }

    /**
     * The device source.
     *
     * @param source   {@code simulated}: declare {@code count} devices of catalog chip {@code chipType}
     * @param chipType a catalog chip id (simulated source)
     * @param count    how many devices (simulated source)
     */
    public record DeviceSource(String source, String chipType, Integer count) {
        public DeviceSource {
            source = source == null ? "simulated" : source;
            if (!source.equals("simulated")) {
                throw new ValidationException("devices.source", "unknown source '" + source + "'; use simulated");
            }
            if (chipType == null) {
                throw new ValidationException("devices.chipType", "is required for the simulated source");
            }
            count = SchedulerConfig.check("devices.count", count == null ? 8 : count, 0, 1024);
        }
    }
}
