package io.tessera.scheduler.model;

import io.tessera.config.wire.ShardReport;
import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.tessera.config.JobSpec;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as stored in cluster state. Immutable; every change makes a new record.
 *
 * @param id              the job id
 * @param seq             submission order, for FIFO within a priority
 * @param spec            what was submitted
 * @param state           lifecycle state
 * @param cancelRequested set by the API; the leader finishes the cancel
 * @param submittedAt     ISO-8601 submission time
 * @param attempt         gang attempt, starting at 1; bumped on every restart
 * @param restarts        restarts used so far, against {@code spec.restartLimit}
 * @param placement       the committed plan of the current attempt, null while queued
 * @param events          history, oldest first, capped at {@link #MAX_EVENTS}
 * @param waiting         why it could not be placed last, typed ({@link Waiting}); null when it does not wait. Read
 *                        from a plain {@code waitingReason} string too, as stored before waits had kinds
 * @param owner           the user who submitted it
 * @param previousShards  the shard count of the attempt before this one, 0 for the first attempt
 * @param finalShards     once it has finished and left hot state: its last attempt's shard reports
 *                        (how each shard ended); empty before
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(String id, long seq, JobSpec spec, JobState state, boolean cancelRequested,
                        String submittedAt, int attempt, int restarts, Plan placement, List<JobEvent> events,
                        @JsonAlias("waitingReason") Waiting waiting, String owner, int previousShards,
                        List<ShardReport> finalShards) {
    public static final int MAX_EVENTS = 200;

    public JobRecord {
        events = events == null ? List.of() : List.copyOf(events);
        finalShards = finalShards == null ? List.of() : List.copyOf(finalShards);
    }

    /** A job still in hot state (no final shard reports kept in it). */
    public JobRecord(String id, long seq, JobSpec spec, JobState state, boolean cancelRequested, String submittedAt,
                     int attempt, int restarts, Plan placement, List<JobEvent> events, Waiting waiting,
                     String owner, int previousShards) {
        this(id, seq, spec, state, cancelRequested, submittedAt, attempt, restarts, placement, events, waiting,
                owner, previousShards, List.of());
    }

    /** This finished job with its last attempt's shard reports, as it moves to the history. */
    public JobRecord withFinalShards(List<ShardReport> reports) {
        return new JobRecord(id, seq, spec, state, cancelRequested, submittedAt, attempt, restarts, placement, events,
                waiting, owner, previousShards, reports);
    }

    public JobRecord withEvent(JobEvent event) {
        List<JobEvent> next = new ArrayList<>(events);
        next.add(event);
        if (next.size() > MAX_EVENTS) {
            next = next.subList(next.size() - MAX_EVENTS, next.size());
        }
        return new JobRecord(id, seq, spec, state, cancelRequested, submittedAt, attempt, restarts, placement, next,
                waiting, owner, previousShards);
    }

    public JobRecord withState(JobState newState) {
        return new JobRecord(id, seq, spec, newState, cancelRequested, submittedAt, attempt, restarts, placement,
                events, waiting, owner, previousShards);
    }

    public JobRecord withPlacement(Plan plan) {
        return new JobRecord(id, seq, spec, state, cancelRequested, submittedAt, attempt, restarts, plan, events,
                null, owner, previousShards);
    }

    public JobRecord withCancelRequested() {
        return new JobRecord(id, seq, spec, state, true, submittedAt, attempt, restarts, placement, events,
                waiting, owner, previousShards);
    }

    public JobRecord withWaiting(Waiting why) {
        return new JobRecord(id, seq, spec, state, cancelRequested, submittedAt, attempt, restarts, placement, events,
                why, owner, previousShards);
    }

    /** Why it waits, for people; null when it does not wait. */
    public String waitingReason() {
        return waiting == null ? null : waiting.reason();
    }

    /** A new attempt: back to the queue with no placement. */
    public JobRecord restarted() {
        return new JobRecord(id, seq, spec, JobState.QUEUED, cancelRequested, submittedAt, attempt + 1, restarts + 1,
                null, events, null, owner, placement == null ? previousShards : placement.shards().size());
    }

    /** A new attempt that does not count as a restart (growing onto returned capacity): no placement yet. */
    public JobRecord regrown() {
        return new JobRecord(id, seq, spec, JobState.QUEUED, cancelRequested, submittedAt, attempt + 1, restarts,
                null, events, null, owner, placement == null ? previousShards : placement.shards().size());
    }
}
