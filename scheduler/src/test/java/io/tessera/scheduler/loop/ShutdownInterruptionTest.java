package io.tessera.scheduler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastException;
import org.junit.jupiter.api.Test;

/**
 * A pass cut short by the loop's own close is not an error. Regression (CleanShutdownTest in CI):
 * SIGTERM interrupted the loop thread inside a Hazelcast call, which threw a
 * {@code HazelcastException} caused by an {@code InterruptedException}, and it was logged as a
 * failed pass.
 */
class ShutdownInterruptionTest {
    private static final RuntimeException INTERRUPTED = new HazelcastException(new InterruptedException());

    @Test
    void anInterruptedStoreCallWhileClosingIsAShutdownNotAFailure() {
        assertThat(SchedulingLoop.interruptedByClose(true, INTERRUPTED)).isTrue();
    }

    @Test
    void theSameInterruptWhileRunningAndOtherFailuresWhileClosingAreStillFailures() {
        assertThat(SchedulingLoop.interruptedByClose(false, INTERRUPTED)).isFalse();
        assertThat(SchedulingLoop.interruptedByClose(true, new IllegalStateException("a bug"))).isFalse();
    }
}
