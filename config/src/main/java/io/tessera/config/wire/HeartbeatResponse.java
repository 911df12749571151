package io.tessera.config.wire;

/**
 * The scheduler's answer to a heartbeat: the cadence the node must keep from now on. The interval
 * stretches as the fleet grows, so the fleet's heartbeats per second stay under the scheduler's
 * ceiling; an agent adopts both values at once.
 *
 * @param node                the node name
 * @param known               always true (an unknown node gets a 404 and registers again)
 * @param heartbeatIntervalMs how often to heartbeat from now on
 * @param heartbeatTimeoutMs  silence after which the scheduler declares the node lost
 */
public record HeartbeatResponse(String node, boolean known, long heartbeatIntervalMs, long heartbeatTimeoutMs) {
}
