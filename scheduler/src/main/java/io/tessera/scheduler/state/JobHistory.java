package io.tessera.scheduler.state;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.model.JobState;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finished jobs, out of the hot cluster state: written once by the leader when a terminal job
 * has been done for a grace period, readable by id and in pages, and purged after the retention.
 * All methods block and are thread-safe.
 */
public interface JobHistory {
    /**
     * Which jobs a page holds: all filters are optional (null or empty: any). Pages run newest
     * first; {@code beforeSeq} is the cursor (only jobs submitted before it).
     */
    record Query(String owner, Set<JobState> states, String queue, Long beforeSeq, int limit) {
        public boolean matches(JobRecord j) {
            return (owner == null || owner.equals(j.owner())) && (states == null || states.isEmpty() || states.contains(j.state()))
                    && (queue == null || queue.equals(j.spec().queue())) && (beforeSeq == null || j.seq() < beforeSeq);
        }
    }

    /** Stores a finished job; storing the same id again replaces it. */
    void add(JobRecord job, long finishedAtMs);

    Optional<JobRecord> get(String id);

    /** Up to {@code q.limit()} jobs matching {@code q}, newest first. */
    List<JobRecord> page(Query q);

    /** Stores a finished job's training curve beside it (after {@link #add}); replaces an earlier one. */
    void addTelemetry(JobTelemetry telemetry);

    /** A finished job's training curve, if it had one. */
    Optional<JobTelemetry> telemetry(String id);

    /** Deletes jobs that finished before {@code cutoffMs}, and their curves; returns how many jobs. */
    int purgeFinishedBefore(long cutoffMs);
}
