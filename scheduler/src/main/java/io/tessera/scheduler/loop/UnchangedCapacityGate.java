package io.tessera.scheduler.loop;

/**
 * Skips a job that did not fit the capacity left and would meet the same capacity again
 * ({@link BlockedSet}, trial {@code PLACEMENT}), unless it is owed a reservation or a reservation
 * of its is due. A queue's head is planned every pass: it also waits on when the jobs it would
 * wait for end, which every progress report moves (its reservation is renewed). Regression
 * (BlockedSetPropertyTest): skipping heads on an unchanged capacity, a job that became its queue's
 * head got no reservation, and a reserved one was not renewed earlier when its blockers' ends moved
 * earlier, so smaller jobs backfilled ahead of it.
 */
final class UnchangedCapacityGate implements AdmissionGate {
    private final BlockedSet blocked;
    private final ReservationBook reservations;

    UnchangedCapacityGate(BlockedSet blocked, ReservationBook reservations) {
        this.blocked = blocked;
        this.reservations = reservations;
    }

    @Override
    public String name() {
        return "unchanged";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        if (!c.head() && blocked.triedOn(BlockedSet.Trial.PLACEMENT, c.id(), pass.working.fingerprint())
                && reservations.due(c.id(), pass.working).isEmpty()) {
            return GateVerdict.UNCHANGED;
        }
        return new GateVerdict.Admit(sofar);
    }
}
