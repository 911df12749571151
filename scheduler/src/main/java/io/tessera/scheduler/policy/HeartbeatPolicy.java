package io.tessera.scheduler.policy;

import io.tessera.config.SchedulerConfig;

/**
 * How often agents heartbeat, and how long a silent node lives, as a pure function of the fleet's
 * size: the interval stretches so that the whole fleet's heartbeats stay under a ceiling per
 * second, as Nomad's heartbeat TTL does. Below {@code ceiling × baseInterval} nodes the configured
 * interval and timeout hold. Above it, the interval is {@code nodes / ceiling} seconds and the
 * timeout grows by two stretched intervals' worth, so a node still has to miss about as many
 * heartbeats before it is declared lost.
 *
 * <p>Example: base 2 s / 15 s, ceiling 1,000 per second. 1,000 nodes heartbeat every 2 s (500/s);
 * 9,000 nodes every 9 s (1,000/s) with a timeout of 15 + 2 × (9 − 2) = 29 s.
 *
 * @param baseIntervalMs the configured interval, the shortest ever given
 * @param baseTimeoutMs  the configured timeout, the shortest ever used
 * @param ceilingPerSec  the most heartbeats per second the fleet may send
 */
public record HeartbeatPolicy(long baseIntervalMs, long baseTimeoutMs, double ceilingPerSec) {
    public HeartbeatPolicy {
        if (baseIntervalMs <= 0 || baseTimeoutMs <= 0 || !(ceilingPerSec > 0)) {
            throw new IllegalArgumentException("interval, timeout and ceiling must be positive");
        }
    }

    /** The policy a scheduler configuration implies: its interval and timeout, and {@code limits.maxHeartbeatsPerSec}. */
    public static HeartbeatPolicy from(SchedulerConfig config) {
        return new HeartbeatPolicy(config.heartbeatIntervalMs(), config.heartbeatTimeoutMs(),
                config.limits().maxHeartbeatsPerSec());
    }

    /** The interval to give every agent of a fleet of {@code nodes}. */
    public long intervalMs(long nodes) {
        long stretched = (long) Math.ceil(nodes * 1000.0 / ceilingPerSec);
        return Math.max(baseIntervalMs, stretched);
    }

    /** The silence after which a node of a fleet of {@code nodes} is declared lost. */
    public long timeoutMs(long nodes) {
        return baseTimeoutMs + 2 * (intervalMs(nodes) - baseIntervalMs);
    }

    /** The fleet's heartbeats per second at this size. */
    public double ratePerSec(long nodes) {
        return nodes * 1000.0 / intervalMs(nodes);
    }

    /**
     * The timeout in force: a timeout that shrinks (the fleet got smaller) takes effect only once
     * the longer one has run out since it was last given, so no agent still on the longer interval
     * is declared lost early.
     *
     * @param timeoutMs the timeout the liveness sweep uses
     * @param sinceMs   when that timeout was last given out
     */
    public record Granted(long timeoutMs, long sinceMs) {
    }

    /** The timeout in force at {@code nowMs} for a fleet of {@code nodes}, after {@code previous} (null at first). */
    public Granted granted(Granted previous, long nodes, long nowMs) {
        long t = timeoutMs(nodes);
        if (previous == null || t >= previous.timeoutMs() || nowMs - previous.sinceMs() > previous.timeoutMs()) {
            return new Granted(t, nowMs);
        }
        return previous;
    }
}
