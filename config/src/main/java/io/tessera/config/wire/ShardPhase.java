package io.tessera.config.wire;

/** Where a shard's worker process is, as the agent sees it. */
public enum ShardPhase {
    /** Accepted, process not yet started. */
    STARTING,
    /** The process is alive. */
    RUNNING,
    /** The process ended by itself; {@link ShardReport#exitCode()} says how. */
    EXITED,
    /** The agent killed it because it was no longer assigned (cancel, restart). */
    KILLED,
    /** The process could not be started at all (missing executable, bad directory). */
    FAILED_TO_START,
    /**
     * The agent would not start it because the job's own spec is at fault (its checkpoint
     * directory cannot be written by its user): a restart would fail the same way, so the job fails at once.
     */
    REFUSED;

    public boolean terminal() {
        return this != STARTING && this != RUNNING;
    }
}
