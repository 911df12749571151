package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the admission gates ask of the reservations of blocked jobs ({@link Reservations} in the
 * loop; a table in the gates' tests): whether a job holds one, whether one is due, and the one a
 * blocked head is owed.
 */
interface ReservationBook {
    /** Whether {@code jobId} holds a reservation. */
    boolean holds(String jobId);

    /** The plan {@code jobId} reserved, when its time has come and its devices are free in {@code now}. */
    Optional<Plan> due(String jobId, ClusterSnapshot now);

    /**
     * The reservation of a head that did not fit {@code snapshot} (what is left of {@code state}), planned without {@code others}'
     * devices and {@code pending}; empty when no predicted end makes room.
     */
    Optional<Reservation> blocked(CycleState state, JobRecord head, ClusterSnapshot snapshot, PlacementPolicy policy,
                                  List<Reservation> others, Map<String, Set<Integer>> pending);

    /**
     * Notes that a queued job did not fit, so that the pass, once decided, works out when it could
     * start if it holds no reservation: for its {@code estimatedStartAt} only; an estimate holds no
     * device and binds no one.
     */
    default void wantsEstimate(String jobId) {
    }
}
