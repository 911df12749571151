package io.tessera.scheduler.loop;

import io.tessera.scheduler.events.SchedulerEvents;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.placement.PlacementResult;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;
import io.tessera.scheduler.placement.Placer;
import io.tessera.scheduler.placement.VetoReason;
import io.tessera.scheduler.policy.ReservationPolicy.Reservation;
import io.tessera.scheduler.state.PlanApplier;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Plans the job on the capacity the pass has left ({@link Placer#place}). When it does not fit:
 * a reservation of its that is due is kept (its plan is admitted); a head gets, or renews, a
 * reservation, which it adds to the pass's reservations and waits on ({@link WaitKind#RESERVED});
 * any other job is {@link GateVerdict.Unfit}. A job that does not fit is recorded in the
 * {@link BlockedSet} against the capacity it saw.
 */
final class FitGate implements AdmissionGate {
    private final Placer placer;
    private final ReservationBook reservations;
    private final BlockedSet blocked;
    private final SchedulerEvents events;

    FitGate(Placer placer, ReservationBook reservations, BlockedSet blocked, SchedulerEvents events) {
        this.placer = placer;
        this.reservations = reservations;
        this.blocked = blocked;
        this.events = events;
    }

    @Override
    public String name() {
        return "fit";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        long start = System.nanoTime();
        PlacementResult result = placer.place(pass.working, c.id(), c.job().spec(), c.policy());
        long nanos = System.nanoTime() - start;
        List<String> vetoes = result.chips().stream().filter(v -> v.veto() != null)
                .map(v -> v.veto().reason()).filter(r -> r != VetoReason.NOT_NEEDED)
                .map(r -> r.name().toLowerCase(Locale.ROOT)).toList();
        if (result instanceof Plan plan) {
            return admit(c, plan, nanos, vetoes);
        }
        Optional<Plan> promised = reservations.due(c.id(), pass.working);
        if (promised.isPresent()) { // its reservation's time has come and its devices are free: the promise is kept
            return admit(c, promised.get(), nanos, vetoes);
        }
        events.placement(nanos, "unschedulable", vetoes);
        blocked.tried(BlockedSet.Trial.PLACEMENT, c.id(), pass.working.fingerprint());
        reservations.wantsEstimate(c.id()); // its start, for people, is worked out once the pass has decided
        Optional<Reservation> mine = c.head()
                ? reservations.blocked(pass.state, c.job(), pass.working, c.policy(), pass.reserved, pass.pending) : Optional.empty();
        if (mine.isEmpty()) {
            return new GateVerdict.Unfit((Unschedulable) result);
        }
        Reservation r = mine.get();
        pass.reserved.removeIf(x -> x.jobId().equals(r.jobId()));
        pass.reserved.add(r);
        return new GateVerdict.Wait(new Waiting(WaitKind.RESERVED, "reserved: waits for " + r.waitsFor() + " on " + r.chips()),
                "holds a reservation: predicted to start at " + Instant.ofEpochMilli(r.startAtMs()) + ", when jobs "
                        + r.waitsFor() + " release their devices on " + r.chips()
                        + "; smaller jobs backfill only beside it or if they end before it");
    }

    private static GateVerdict admit(Candidate c, Plan plan, long nanos, List<String> vetoes) {
        return new GateVerdict.Admit(new PlacementDecision(new PlanApplier.Proposal(c.id(), c.job().attempt(), plan),
                nanos, vetoes));
    }
}
