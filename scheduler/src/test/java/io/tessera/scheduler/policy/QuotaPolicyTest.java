package io.tessera.scheduler.policy;

import org.assertj.core.data.Offset;
import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.config.QueueSpec;
import io.tessera.config.QueueSpec.Quota;
import io.tessera.scheduler.policy.QuotaPolicy.Admission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quota admission and borrowing within a cohort, on hand-built usage. */
class QuotaPolicyTest {
    private static QueueSpec queue(String name, Double tflops, Double borrowingLimit, String cohort) {
        return new QueueSpec(name, 1.0, new Quota(tflops, Map.of()), borrowingLimit, cohort, null, null, null, null, null, null, null);
    }

    private static QueueUsage holding(Map<String, Double> tflops) {
        Map<String, QuotaCharge> byQueue = new HashMap<>();
        tflops.forEach((q, t) -> byQueue.put(q, new QuotaCharge(t, Map.of())));
        return new QueueUsage(byQueue, Map.of(), Map.of());
    }

    private static Map<String, QueueSpec> all(QueueSpec... queues) {
        Map<String, QueueSpec> out = new HashMap<>();
        for (QueueSpec q : queues) {
            out.put(q.name(), q);
        }
        return out;
    }

    private static QuotaCharge tflops(double t) {
        return new QuotaCharge(t, Map.of());
    }

    @Test
    void aQueueWithoutQuotaTakesAnythingAndOneWithoutCohortStopsAtItsQuota() {
        QueueSpec open = QueueSpec.open("open");
        QueueSpec alone = queue("alone", 100.0, null, null);
        Map<String, QueueSpec> queues = all(open, alone);
        QueueUsage usage = holding(Map.of("open", 1e6, "alone", 60.0));
        assertThat(QuotaPolicy.admit(open, queues, usage, tflops(1e6))).isInstanceOf(Admission.Admit.class);
        assertThat(QuotaPolicy.admit(alone, queues, usage, tflops(40))).isEqualTo(new Admission.Admit(0));
        assertThat(QuotaPolicy.admit(alone, queues, usage, tflops(41))).isInstanceOfSatisfying(Admission.Refuse.class,
                r -> assertThat(r.field()).isEqualTo("quota.tflops"));
    }

    @Test
    void aQueueBorrowsWhatItsCohortLeavesUnusedUpToItsBorrowingLimit() {
        QueueSpec a = queue("a", 100.0, null, "lab");
        QueueSpec b = queue("b", 100.0, null, "lab");
        QueueSpec capped = queue("c", 100.0, 50.0, "lab");
        Map<String, QueueSpec> queues = all(a, b, capped);
        QueueUsage idle = holding(Map.of("a", 100.0));
        // b and c lend their 200 unused: a may grow to 300 in all.
        assertThat(QuotaPolicy.admit(a, queues, idle, tflops(200))).isEqualTo(new Admission.Admit(200));
        assertThat(QuotaPolicy.admit(a, queues, idle, tflops(201))).isInstanceOf(Admission.Refuse.class);
        // c may borrow only 50 beyond its own 100.
        assertThat(QuotaPolicy.admit(capped, queues, holding(Map.of()), tflops(150))).isEqualTo(new Admission.Admit(50));
        assertThat(QuotaPolicy.admit(capped, queues, holding(Map.of()), tflops(151))).isInstanceOf(Admission.Refuse.class);
        // Once b uses its own quota, a can no longer borrow it.
        QueueUsage busy = holding(Map.of("a", 150.0, "b", 100.0));
        assertThat(QuotaPolicy.headroom(a, queues, busy)).isEqualTo(50.0);
        assertThat(QuotaPolicy.borrowed(a, busy)).isEqualTo(50.0);
        // b may always take its own quota back up to 100 in headroom terms only if the cohort has room.
        assertThat(QuotaPolicy.headroom(b, queues, holding(Map.of("a", 300.0)))).isEqualTo(0.0);
    }

    @Test
    void deviceQuotasAreHardAndNameTheirKey() {
        QueueSpec q = new QueueSpec("gpu", 1.0, new Quota(null, Map.of("nvidia", 16)), null, null, null, null, null,
                null, null, null, null);
        QueueUsage usage = new QueueUsage(Map.of("gpu", new QuotaCharge(0, Map.of("nvidia", 8))), Map.of(), Map.of());
        assertThat(QuotaPolicy.admit(q, all(q), usage, new QuotaCharge(10, Map.of("nvidia", 8, "nvidia-h20", 8))))
                .isInstanceOf(Admission.Admit.class);
        assertThat(QuotaPolicy.admit(q, all(q), usage, new QuotaCharge(10, Map.of("nvidia", 9))))
                .isInstanceOfSatisfying(Admission.Refuse.class, r -> assertThat(r.field()).isEqualTo("quota.devices.nvidia"));
        assertThat(QuotaPolicy.admit(q, all(q), usage, new QuotaCharge(10, Map.of("ascend", 64))))
                .as("another vendor's devices are not limited").isInstanceOf(Admission.Admit.class);
    }

    @Test
    void fairSharesFollowWeightsAndRedistributeWhatACappedQueueCannotUse() {
        assertThat(FairShare.shares(300, Map.of("ml", 2.0, "batch", 1.0), Map.of()))
                .containsEntry("ml", 200.0).containsEntry("batch", 100.0);
        Map<String, Double> capped = FairShare.shares(300, Map.of("ml", 2.0, "batch", 1.0, "tiny", 1.0),
                Map.of("tiny", 10.0));
        assertThat(capped.get("tiny")).isEqualTo(10.0);
        assertThat(capped.get("ml")).isCloseTo(2 * 290 / 3.0, Offset.offset(1e-9));
        assertThat(capped.get("batch")).isCloseTo(290 / 3.0, Offset.offset(1e-9));
        Map<String, Double> allCapped = FairShare.shares(300, Map.of("a", 1.0, "b", 1.0), Map.of("a", 10.0, "b", 20.0));
        assertThat(allCapped).containsEntry("a", 10.0).containsEntry("b", 20.0);
        assertThat(FairShare.shares(0, Map.of("a", 1.0), Map.of())).containsEntry("a", 0.0);
        assertThat(List.copyOf(FairShare.shares(90, Map.of("x", 1.0, "y", 1.0, "z", 1.0), Map.of()).values()))
                .containsOnly(30.0);
    }
}
