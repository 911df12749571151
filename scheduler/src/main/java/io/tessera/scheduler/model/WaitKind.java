package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Why a queued job waits, by kind: each admission gate of the queue pass answers with one, and
 * the waiting reason, the WAITING events (one per change of kind), the API and the CLI read it.
 * Typed, so no reader recovers it from the reason's text.
 */
public enum WaitKind {
    /** A failed gang backs off before its next attempt ({@code limits.restartBackoff}). */
    RESTART_BACKOFF,
    /** Its queue holds all the TFLOPS its quota (and cohort) allow. */
    QUEUE_AT_QUOTA,
    /** Its plan would take its queue past a quota. */
    OVER_QUOTA,
    /** Starting now would delay another job's reservation; it backfills once it fits beside it. */
    BEHIND_RESERVATION,
    /** It holds a reservation: it starts when the jobs it waits for release their devices. */
    RESERVED,
    /** It does not fit the free capacity now; it would fit the fleet if nothing else ran. */
    NO_FIT,
    /** It cannot fit even an idle fleet as the fleet is: it waits for nodes to be added. */
    NEVER_FITS,
    /** It preempted running jobs and waits for their workers to stop. */
    PREEMPTING,
    /** Written by a version that knew no kinds, or by a newer one with kinds this one does not know. */
    @JsonEnumDefaultValue
    UNKNOWN
}
