package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.policy.QuotaCharge;
import io.tessera.scheduler.policy.QuotaPolicy;

/** Holds a job whose plan would take its queue (or cohort) past a quota ({@link QuotaPolicy#admit}). */
final class QuotaAdmissionGate implements AdmissionGate {
    @Override
    public String name() {
        return "quota";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        QuotaCharge charge = QuotaCharge.of(sofar.plan(), pass.working.catalog());
        if (QuotaPolicy.admit(c.queue(), pass.queues, pass.order.usage(), charge) instanceof QuotaPolicy.Admission.Refuse r) {
            return new GateVerdict.Wait(new Waiting(WaitKind.OVER_QUOTA, "over quota: " + r.field()), r.reason());
        }
        return new GateVerdict.Admit(sofar);
    }
}
