package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.policy.ReservationPolicy;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the reservations in force: a plan that would delay one is replaced by the job's plan
 * beside the devices of every reservation it would not end before (backfill), or the job waits
 * behind it. A job that preempted is held to this too, so its victims' devices, not a reserved
 * gang's, make its room.
 */
final class ReservationGate implements AdmissionGate {
    private final Placer placer;

    ReservationGate(Placer placer) {
        this.placer = placer;
    }

    @Override
    public String name() {
        return "reservation";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        Optional<Reservation> delayed = ReservationPolicy.delays(c.id(), sofar.plan(),
                Reservations.runSec(c.job(), sofar.plan()), pass.nowMs, pass.reserved);
        if (delayed.isEmpty()) {
            return new GateVerdict.Admit(sofar);
        }
        long start = System.nanoTime();
        Optional<GateVerdict> beside = KeptReservations.beside(placer, pass.working, c.job(), c.policy(), pass.reserved,
                pass.nowMs, sofar.plan()).map(plan -> new GateVerdict.Admit(new PlacementDecision(
                new PlanApplier.Proposal(c.id(), c.job().attempt(), plan),
                System.nanoTime() - start, List.of())));
        if (beside.isPresent()) {
            return beside.get();
        }
        Reservation r = delayed.get();
        return new GateVerdict.Wait(new Waiting(WaitKind.BEHIND_RESERVATION, "behind the reservation of " + r.jobId()),
                "starting now would delay job " + r.jobId() + ", which holds a reservation from "
                        + Instant.ofEpochMilli(r.startAtMs()) + "; it backfills once it fits beside that or ends before it"
                        + " (scheduling.steps tells how long it runs)");
    }
}
