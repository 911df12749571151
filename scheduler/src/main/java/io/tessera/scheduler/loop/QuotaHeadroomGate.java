package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.policy.QuotaPolicy;

/** Holds a job whose queue already holds all the TFLOPS its quota (and cohort) allow, before any planning. */
final class QuotaHeadroomGate implements AdmissionGate {
    @Override
    public String name() {
        return "quota_headroom";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        if (QuotaPolicy.headroom(c.queue(), pass.queues, pass.order.usage()) > 1e-9) {
            return new GateVerdict.Admit(sofar);
        }
        String queue = c.queue().name();
        return new GateVerdict.Wait(new Waiting(WaitKind.QUEUE_AT_QUOTA, "queue " + queue + " is at its quota"),
                "queue " + queue + " holds all the normalized TFLOPS its quota"
                        + (c.queue().cohort() == null ? "" : " and cohort")
                        + " allow; the job waits until its queue's jobs release capacity");
    }
}
