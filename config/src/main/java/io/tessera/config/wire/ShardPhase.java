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
    FAILED_TO_START;

    public boolean terminal() {
        return this != STARTING && this != RUNNING;
    }
}
