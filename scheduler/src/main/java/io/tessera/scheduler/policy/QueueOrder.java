package io.tessera.scheduler.policy;

import io.tessera.scheduler.model.JobRecord;
import java.util.Comparator;

/**
 * The order queued jobs are offered capacity in: higher priority first, then earlier submission
 * (the job's sequence number), then id, so the order is total and the same on every member. Pure.
 */
public final class QueueOrder {
    /** Priority descending, then sequence ascending, then id. */
    public static final Comparator<JobRecord> FIRST_TO_PLACE = Comparator
            .comparingInt((JobRecord j) -> -j.spec().priority())
            .thenComparingLong(JobRecord::seq)
            .thenComparing(JobRecord::id);

    private QueueOrder() {
    }
}
