package io.tessera.scheduler.placement;

import io.tessera.config.JobSpec;

/**
 * The placement seam. Implementations are pure functions: no I/O, no clock, no shared mutable
 * state, and any randomness is seeded from the job; the same inputs always give the same result.
 */
@FunctionalInterface
public interface Placer {
    /**
     * Places every shard of {@code job} on {@code snapshot}, all or nothing.
     *
     * @param jobId the job's id, the seed for any tie-breaking randomness
     */
    PlacementResult place(ClusterSnapshot snapshot, String jobId, JobSpec job, PlacementPolicy policy);
}
