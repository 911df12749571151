package io.tessera.scheduler.model;

/** A job's lifecycle state. */
public enum JobState {
    /** Waiting for capacity; its events say why. */
    QUEUED,
    /** Placed and committed; workers are starting. */
    PLACED,
    /** Every shard's worker is running. */
    RUNNING,
    /**
     * Chosen as a preemption victim: its workers were told to stop (SIGTERM, then SIGKILL after
     * the grace period) so they can checkpoint; it keeps its devices until they have stopped, then
     * goes back to the queue with its attempt kept and no restart counted.
     */
    PREEMPTING,
    /** Every shard exited 0. */
    SUCCEEDED,
    /** A shard failed and the restart limit was spent. */
    FAILED,
    /** Cancelled by a user. */
    CANCELLED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Whether the job holds devices. */
    public boolean active() {
        return this == PLACED || this == RUNNING || this == PREEMPTING;
    }
}
