package io.tessera.scheduler.state;

import io.tessera.scheduler.model.JobRecord;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The jobs in hot state, and the checkpoint directories they claim: what the job API writes. The
 * scheduling loop writes jobs only through the fenced {@link PlanApplier}. Blocking, thread-safe;
 * single-key updates are compare-and-set.
 */
public interface JobStore {
    Optional<JobRecord> job(String id);

    Collection<JobRecord> jobs();

    /** A job id, unique cluster-wide and increasing roughly with time. */
    long nextSequence();

    void insertJob(JobRecord job);

    /** Applies {@code change} atomically (retrying on contention); empty if the job does not exist. */
    Optional<JobRecord> updateJob(String id, UnaryOperator<JobRecord> change);

    /** Removes a job from hot state (it has moved to the history). */
    void deleteJob(String id);

    /** A queued job's predicted start, if it holds a reservation. */
    Optional<String> estimatedStart(String jobId);

    /**
     * Records that {@code owner} uses checkpoint directory {@code dir}, unless another owner's
     * claimed directory is {@code dir}, inside it or contains it; then returns that owner and claims nothing.
     */
    Optional<String> claimCheckpointDir(String dir, String owner);

    /**
     * {@code action}'s answer, run while this member holds the cluster-wide lock named {@code key}:
     * an admission check that counts jobs and the insert it allows are one step under it, so
     * parallel submissions (through any members) cannot all pass a limit of one.
     */
    <T> T exclusively(String key, Supplier<T> action);
}
