package io.tessera.scheduler.placement;

/** Why a chip type was not used for a job. */
public enum VetoReason {
    /** The job's chipTypes list excludes it. */
    NOT_ALLOWED,
    /** It supports none of the job's acceptable precisions. */
    PRECISION,
    /** Even micro-batch 1 does not fit its memory. */
    MEMORY,
    /** No node has enough free devices of it for one shard. */
    INSUFFICIENT_DEVICES,
    /** Using it would break the vendor-share cap or vendor minimum. */
    VENDOR_CAP,
    /** It was usable but the chosen plan is faster without it. */
    NOT_WORTH_COMMUNICATION,
    /** The job did not need it: enough faster capacity elsewhere. */
    NOT_NEEDED
}
