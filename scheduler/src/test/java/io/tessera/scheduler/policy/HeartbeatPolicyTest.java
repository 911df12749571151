package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.LimitsConfig;
import io.tessera.config.SchedulerConfig;
import org.junit.jupiter.api.Test;

/** The heartbeat cadence as a pure function of the fleet's size, and the timeout in force as the fleet shrinks. */
class HeartbeatPolicyTest {
    private final HeartbeatPolicy policy = new HeartbeatPolicy(2000, 15_000, 500);

    @Test
    void aSmallFleetKeepsTheConfiguredCadenceAndALargeOneStaysUnderTheCeiling() {
        assertThat(policy.intervalMs(10)).isEqualTo(2000);
        assertThat(policy.timeoutMs(10)).isEqualTo(15_000);
        assertThat(policy.intervalMs(1000)).isEqualTo(2000);
        assertThat(policy.intervalMs(9000)).isEqualTo(18_000);
        assertThat(policy.timeoutMs(9000)).isEqualTo(15_000 + 2 * 16_000);
        for (int nodes : new int[] {1, 999, 1001, 9000, 100_000}) {
            assertThat(policy.ratePerSec(nodes)).as("%d nodes", nodes).isLessThanOrEqualTo(500.0 + 1e-9);
        }
    }

    @Test
    void aShorterTimeoutTakesEffectOnlyOnceTheLongerOneHasRunOut() {
        HeartbeatPolicy.Granted g = policy.granted(null, 9000, 0);
        assertThat(g.timeoutMs()).isEqualTo(47_000);
        g = policy.granted(g, 100, 10_000); // the fleet shrank: agents may still be on the 18 s interval
        assertThat(g.timeoutMs()).isEqualTo(47_000);
        g = policy.granted(g, 100, 47_001);
        assertThat(g.timeoutMs()).isEqualTo(15_000);
        g = policy.granted(g, 20_000, 47_002); // a longer one applies at once
        assertThat(g.timeoutMs()).isEqualTo(15_000 + 2 * 38_000);
    }

    @Test
    void theConfigurationsCeilingIsUsed() {
        SchedulerConfig config = new SchedulerConfig(null, null, null, null, null, null, 1000L, 10_000L, null, null, null,
                null, null, null, null, null, null, null, null, "none", null, null,
                new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null, null, 100.0), null, null, null, null, null, null);
        HeartbeatPolicy p = HeartbeatPolicy.from(config);
        assertThat(p.intervalMs(50)).isEqualTo(1000);
        assertThat(p.intervalMs(1000)).isEqualTo(10_000);
    }
}
