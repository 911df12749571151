package io.tessera.config.wire;

/**
 * The scheduler's answer to a registration.
 *
 * @param node                the node name as registered
 * @param heartbeatIntervalMs how often to heartbeat
 * @param heartbeatTimeoutMs  silence after which the scheduler declares the node lost
 */
public record RegisterResponse(String node, long heartbeatIntervalMs, long heartbeatTimeoutMs) {
}
