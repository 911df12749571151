package io.tessera.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** When a job of one queue may be preempted for another queue's fair share: never so that the order reverses. */
class FairShareReclaimTest {
    @Test
    void aQueueFarAboveItsShareGivesBackAJobAndOneJustAboveDoesNot() {
        // batch (weight 1) holds 300, ml (weight 2) holds 100: per weight 300 against 50.
        assertThat(FairShare.reclaimable(300, 1, 100, 2, 100)).as("after: 200 against 100 per weight").isTrue();
        assertThat(FairShare.reclaimable(300, 1, 100, 2, 150)).as("after: 150 against 125").isTrue();
        assertThat(FairShare.reclaimable(300, 1, 100, 2, 200)).as("after: 100 against 150: reversed").isFalse();
        assertThat(FairShare.reclaimable(120, 1, 200, 2, 10)).as("110 against 105: still ahead").isTrue();
        assertThat(FairShare.reclaimable(120, 1, 220, 2, 10)).as("110 against 115: reversed").isFalse();
        assertThat(FairShare.reclaimable(100, 1, 0, 1, 0)).as("a job holding nothing frees nothing").isFalse();
    }

    @Property
    void reclaimingNeverReversesTheOrderSoItCannotFlipBack(@ForAll @DoubleRange(min = 0, max = 1e4) double victimHeld,
                                                           @ForAll @DoubleRange(min = 0.1, max = 10) double victimWeight,
                                                           @ForAll @DoubleRange(min = 0, max = 1e4) double waitingHeld,
                                                           @ForAll @DoubleRange(min = 0.1, max = 10) double waitingWeight,
                                                           @ForAll @DoubleRange(min = 0.01, max = 1e3) double tflops) {
        if (FairShare.reclaimable(victimHeld, victimWeight, waitingHeld, waitingWeight, tflops)) {
            double victimAfter = victimHeld - tflops;
            double waitingAfter = waitingHeld + tflops;
            assertThat(victimAfter / victimWeight).isGreaterThanOrEqualTo(waitingAfter / waitingWeight - 1e-9);
            assertThat(FairShare.reclaimable(waitingAfter, waitingWeight, victimAfter, victimWeight, tflops))
                    .as("the other way round at once").isFalse();
        }
    }
}
