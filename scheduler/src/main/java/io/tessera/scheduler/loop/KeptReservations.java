package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.placement.ClusterSnapshot;
import io.tessera.scheduler.placement.PlacementPolicy;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.policy.ReservationPolicy;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.util.List;
import java.util.Optional;

/**
 * Planning that keeps the reservations in force, for the loop stages besides the queue pass (the
 * preemptor and growth): a job's plan on a snapshot, or, when that plan would delay a
 * reservation, its plan beside the devices of every reservation it would not end before. Empty
 * when neither exists.
 */
final class KeptReservations {
    private KeptReservations() {
    }

    static Optional<Plan> plan(Placer placer, ClusterSnapshot snapshot, JobRecord job, PlacementPolicy policy,
                               List<Reservation> reservations, long nowMs) {
        if (!(placer.place(snapshot, job.id(), job.spec(), policy) instanceof Plan best)) {
            return Optional.empty();
        }
        return delays(job, best, reservations, nowMs) ? beside(placer, snapshot, job, policy, reservations, nowMs, best)
                : Optional.of(best);
    }

    /** {@code job}'s plan beside the reservations that {@code best}, its plan on {@code snapshot}, would delay. */
    static Optional<Plan> beside(Placer placer, ClusterSnapshot snapshot, JobRecord job, PlacementPolicy policy,
                                 List<Reservation> reservations, long nowMs, Plan best) {
        ClusterSnapshot beside = snapshot.withoutDevices(ReservationPolicy.heldAgainst(job.id(),
                Reservations.runSec(job, best), nowMs, reservations));
        return placer.place(beside, job.id(), job.spec(), policy) instanceof Plan p && !delays(job, p, reservations, nowMs)
                ? Optional.of(p) : Optional.empty();
    }

    static boolean delays(JobRecord job, Plan plan, List<Reservation> reservations, long nowMs) {
        return ReservationPolicy.delays(job.id(), plan, Reservations.runSec(job, plan), nowMs, reservations).isPresent();
    }
}
