package io.tessera.scheduler.loop;

/**
 * One named step a queued job passes in the queue pass before its plan is accepted (kube's
 * extension points, Tessera's order): {@link RestartBackoffGate}, {@link UnchangedCapacityGate},
 * {@link QuotaHeadroomGate}, {@link FitGate}, {@link ReservationGate}, {@link QuotaAdmissionGate}.
 * Preemption is the post-filter: the {@link Preemptor} runs after the pass for the heads the gates
 * held. A gate reads the candidate, the pass and the plan decided so far, and answers with a typed
 * {@link GateVerdict}; the first that does not admit ends the job's turn. A gate writes nothing;
 * the pass's state it may update (the reservations it renews, the jobs it found blocked) is named
 * in its contract.
 */
interface AdmissionGate {
    /** The gate's name, lower case: the {@code gate} label of {@code tessera_admission_waits_total}. */
    String name();

    /**
     * @param sofar the plan decided by an earlier gate, or null before the {@link FitGate}
     */
    GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar);
}
