package io.tessera.scheduler.loop;

import io.tessera.config.QueueSpec;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.policy.FairShareOrder;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one queue pass carries from job to job, read by the {@link AdmissionGate}s. The capacity
 * left ({@code working}) changes as plans are decided; {@code pending} holds the devices of the
 * decided plans not yet committed, which a reservation worked out now must not count on;
 * {@code reserved} is the reservations in force, which the fit gate renews and the pass spends.
 * Lives for one pass, on the loop's thread.
 */
final class QueuePass {
    final Map<String, QueueSpec> queues;
    final FairShareOrder order;
    final List<Reservation> reserved;
    /** Each queue's first job: the ones that get a reservation when they do not fit. */
    final Set<String> heads;
    final long nowMs;
    /** The pass's input: the cycle's state when the queue pass began. */
    final CycleState state;
    ClusterSnapshot working;
    Map<String, Set<Integer>> pending = Map.of();

    QueuePass(Map<String, QueueSpec> queues, FairShareOrder order, List<Reservation> reserved, Set<String> heads,
              CycleState state, long nowMs) {
        this.queues = queues;
        this.order = order;
        this.reserved = reserved;
        this.heads = heads;
        this.state = state;
        this.working = state.snapshot();
        this.nowMs = nowMs;
    }
}
