package io.tessera.scheduler.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.LimitsConfig;
import io.tessera.config.SchedulerConfig;
import io.tessera.scheduler.policy.HeartbeatPolicy;
import org.junit.jupiter.api.Test;

/**
 * Regression: with the interval stretched past the idle timeout (a fleet of 25,000 nodes beats
 * every 50 s at 500/s; the idle timeout was 50 s), every heartbeat met a connection the server
 * had just closed. By default the idle timeout now outlasts two intervals of a fleet as large as
 * the connection cap; a configured one is kept.
 */
class IdleTimeoutTest {
    @Test
    void theDefaultIdleTimeoutOutlastsTheWidestHeartbeatInterval() {
        SchedulerConfig config = config(null);
        long widest = HeartbeatPolicy.from(config).intervalMs(config.limits().maxConnections());
        assertThat(widest).isEqualTo(40_000);
        assertThat(ConnectionGuard.idleTimeoutMs(config)).isGreaterThanOrEqualTo(2 * widest)
                .isGreaterThan(config.longPollTimeoutMs());
        assertThat(ConnectionGuard.idleTimeoutMs(config(45_000L))).isEqualTo(45_000);
    }

    private static SchedulerConfig config(Long idle) {
        return new SchedulerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, "none", null, null,
                new LimitsConfig(null, null, null, null, null, null, null, idle, null, null, null, null, null), null);
    }
}
