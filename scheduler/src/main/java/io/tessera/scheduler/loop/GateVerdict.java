package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.WaitKind;
import io.tessera.scheduler.model.Waiting;
import io.tessera.scheduler.placement.PlacementResult.Unschedulable;

/**
 * What an {@link AdmissionGate} answers for one job in one pass, typed so that the queue pass,
 * the waiting reasons, the events and the metrics read the same thing.
 */
sealed interface GateVerdict {
    /** Through this gate: on to the next, with the plan decided so far (null before the fit gate). */
    record Admit(PlacementDecision decision) implements GateVerdict {
    }

    /** Not tried this pass, and nothing to note: what it waits on has not changed since it was last held. */
    record Unchanged() implements GateVerdict {
    }

    /** It waits, for this typed reason; {@code detail} is the WAITING event's text when the kind changes. */
    record Wait(Waiting why, String detail) implements GateVerdict {
        WaitKind kind() {
            return why.kind();
        }
    }

    /**
     * It does not fit the capacity left (no reservation either): the queue pass notes it, checking
     * it against the idle fleet to tell {@link WaitKind#NO_FIT} from {@link WaitKind#NEVER_FITS}.
     */
    record Unfit(Unschedulable result) implements GateVerdict {
    }

    GateVerdict UNCHANGED = new Unchanged();
}
