package io.tessera.scheduler.loop;

import io.tessera.config.LimitsConfig;
import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.policy.RestartBackoffPolicy;
import java.time.Instant;

/** Holds a failed gang until its restart backoff ({@link RestartBackoffPolicy}) has passed. */
final class RestartBackoffGate implements AdmissionGate {
    private final LimitsConfig.RestartBackoff backoff;

    RestartBackoffGate(LimitsConfig.RestartBackoff backoff) {
        this.backoff = backoff;
    }

    @Override
    public String name() {
        return "backoff";
    }

    @Override
    public GateVerdict check(Candidate c, QueuePass pass, PlacementDecision sofar) {
        long notBefore = RestartBackoffPolicy.notBeforeMs(c.job(), backoff);
        if (notBefore <= pass.nowMs) {
            return new GateVerdict.Admit(sofar);
        }
        Instant until = Instant.ofEpochMilli(notBefore);
        return new GateVerdict.Wait(new Waiting(WaitKind.RESTART_BACKOFF, "restart backoff until " + until),
                "attempt " + c.job().attempt() + " (restart " + c.job().restarts() + " of " + c.job().spec().restartLimit()
                        + ") backs off until " + until + " (limits.restartBackoff)");
    }
}
