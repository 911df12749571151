package io.tessera.scheduler.placement;

/**
 * Why a chip type was not used for a job, each of one {@link Kind}: static (the job can never use
 * it as specified), dynamic (waiting, or preemption, could make it usable) or a choice (it was
 * usable and not needed).
 */
public enum VetoReason {
    /** The job's chipTypes list excludes it. */
    NOT_ALLOWED(Kind.STATIC),
    /** It supports none of the job's acceptable precisions. */
    PRECISION(Kind.STATIC),
    /** Even micro-batch 1 does not fit its memory. */
    MEMORY(Kind.STATIC),
    /**
     * The job runs it in a container image, and its free devices are all on nodes without a
     * container runtime (nodes with one may free up, or be added).
     */
    NO_CONTAINER_RUNTIME(Kind.DYNAMIC),
    /** No node has enough free devices of it for one shard. */
    INSUFFICIENT_DEVICES(Kind.DYNAMIC),
    /** Using it would break the vendor-share cap or vendor minimum (with the capacity of other vendors free now). */
    VENDOR_CAP(Kind.DYNAMIC),
    /** It was usable but the chosen plan is faster without it. */
    NOT_WORTH_COMMUNICATION(Kind.CHOICE),
    /** The job did not need it: enough faster capacity elsewhere. */
    NOT_NEEDED(Kind.CHOICE);

    /** What a veto says about the job's future on that chip type. */
    public enum Kind {
        /** The job as specified can never use it: only a new spec (or new chips) changes that. */
        STATIC,
        /** The fleet's state keeps the job off it now: capacity freeing, or preemption, could help. */
        DYNAMIC,
        /** It was usable; the plan did better without it. Not a reason the job waits. */
        CHOICE
    }

    private final Kind kind;

    VetoReason(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether this veto kept the job off the chip type (static or dynamic), rather than being a choice. */
    public boolean blocks() {
        return kind != Kind.CHOICE;
    }
}
