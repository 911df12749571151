package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * The kinds of entry in a job's history ({@link JobEvent#type}): stable codes, written to JSON by
 * name, read by the lifecycle, the backoff, the API's times and log lookup, the CLI and the web
 * page. An entry of a kind this version does not know (written by a newer member) reads as
 * {@link #UNKNOWN} rather than failing the whole job record.
 */
public enum EventType {
    SUBMITTED, CANCEL_REQUESTED,
    /** Why a queued job waits changed kind. */
    WAITING,
    /** A queued job can never fit the fleet as it is. */
    UNSCHEDULABLE,
    PLACED, RUNNING, SUCCEEDED, FAILED, CANCELLED,
    /** Chosen as a preemption victim; its workers were asked to stop. */
    PREEMPTING,
    /** Its workers stopped after preemption; it went back to the queue. */
    PREEMPTED,
    /** A new attempt after a failure or a lost node. */
    RESTARTING,
    SHARD_FAILED, SHARD_REFUSED, NODE_LOST, DEVICE_UNHEALTHY,
    /** Tessera's own machinery on a node (directories, environment file, launcher) could not start a shard. */
    SHARD_NOT_STARTED,
    /** An elastic job moved onto more shards, or a running job onto faster chips, at its next attempt. */
    GROWING, MIGRATING,
    /** An attempt runs fewer, or more, shards than the one before. */
    SHRUNK, GREW,
    /** A running attempt's batch was re-split by measured speed. */
    REBALANCED,
    /** Every shard that runs in an image resolved it, and each image's shards agree: they start on that digest. */
    IMAGES_PINNED,
    /**
     * A shard's worker failed on a healthy node and was restarted in place at the same attempt (the
     * recovery ladder's process rung); its peers kept running. The message names the exit and the budget.
     */
    PROCESS_RESTARTED,
    /**
     * Its node was drained for maintenance with evacuation: its workers were asked to checkpoint and
     * stop (within the queue's preemption grace), and it went back to the queue, spending no restart.
     */
    EVACUATING, EVACUATED,
    /**
     * A node of the running gang was lost and its shards were placed again alone, on free devices of
     * the same chip type, at the same attempt (the recovery ladder's shard rung); the others kept running.
     */
    SHARDS_REPLACED,
    /** Every shard restarted in place runs again; the message says how long the gang was short of it. */
    RECOVERED,
    @JsonEnumDefaultValue
    UNKNOWN
}
