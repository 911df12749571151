package io.tessera.scheduler.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.tessera.config.JobSpec;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as stored in cluster state. Immutable; every change makes a new record. On the wire and
 * in the store its parts are flat, one JSON object with the same field names as before they were
 * grouped ({@code JobRecordWireTest}).
 *
 * @param identity    who submitted what, and when
 * @param spec        what was submitted
 * @param lifecycle   where it is in its lifecycle, and which attempt
 * @param placement   the committed plan of the current attempt, null while queued
 * @param events      history, oldest first, capped at {@link #MAX_EVENTS}
 * @param waiting     why it could not be placed last, typed ({@link Waiting}); null when it does not wait. Read
 *                    from a plain {@code waitingReason} string too, as stored before waits had kinds
 * @param finalShards once it has finished and left hot state: its last attempt's shard reports
 *                    (how each shard ended); empty before
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(@JsonUnwrapped Identity identity, JobSpec spec, @JsonUnwrapped Lifecycle lifecycle,
                        Plan placement, List<JobEvent> events, @JsonAlias("waitingReason") Waiting waiting,
                        List<ShardReport> finalShards) {
    public static final int MAX_EVENTS = 200;

    /**
     * Which job it is.
     *
     * @param id          the job id
     * @param seq         submission order, for FIFO within a priority
     * @param owner       the user who submitted it
     * @param submittedAt ISO-8601 submission time
     * @param uid         the uid its workers run as on every node, allocated across the fleet at submission
     *                    (released when the job finishes); null for jobs from before, whose agents pick one
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Identity(String id, long seq, String owner, String submittedAt, Integer uid) {
        public Identity(String id, long seq, String owner, String submittedAt) {
            this(id, seq, owner, submittedAt, null);
        }
    }

    /**
     * Where a job is in its lifecycle.
     *
     * @param state           lifecycle state
     * @param cancelRequested set by the API; the leader finishes the cancel
     * @param attempt         gang attempt, starting at 1; bumped on every restart
     * @param restarts        restarts used so far, against {@code spec.restartLimit}
     * @param previousShards  the shard count of the attempt before this one, 0 for the first attempt
     * @param recovery        the restarts in place of this attempt; null: none
     * @param moveRequested   set by the API when a node of the running attempt is drained for maintenance, saying
     *                        why: the leader then stops the attempt as it stops a preemption victim (its workers
     *                        checkpoint on the way out) and requeues it without spending a restart; null otherwise
     */
    public record Lifecycle(JobState state, boolean cancelRequested, int attempt, int restarts, int previousShards,
                            @JsonInclude(JsonInclude.Include.NON_NULL) GangRecovery recovery,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String moveRequested) {
        /** A job just submitted: queued, first attempt. */
        public static final Lifecycle SUBMITTED = new Lifecycle(JobState.QUEUED, false, 1, 0, 0);

        public Lifecycle(JobState state, boolean cancelRequested, int attempt, int restarts, int previousShards) {
            this(state, cancelRequested, attempt, restarts, previousShards, null, null);
        }

        Lifecycle withState(JobState s) {
            return new Lifecycle(s, cancelRequested, attempt, restarts, previousShards, recovery, moveRequested);
        }
    }

    public JobRecord {
        events = events == null ? List.of() : List.copyOf(events);
        finalShards = finalShards == null ? List.of() : List.copyOf(finalShards);
    }

    /** A job just submitted by {@code owner} at {@code at}: queued, first attempt, one SUBMITTED event. */
    public static JobRecord submitted(String id, long seq, JobSpec spec, String owner, String at) {
        return submitted(new Identity(id, seq, owner, at), spec, "");
    }

    /** A job just submitted ({@code who}): queued, first attempt, one SUBMITTED event saying {@code note}. */
    public static JobRecord submitted(Identity who, JobSpec spec, String note) {
        return new JobRecord(who, spec, Lifecycle.SUBMITTED, null,
                List.of(new JobEvent(who.submittedAt(), EventType.SUBMITTED, note)), null, List.of());
    }

    public String id() {
        return identity.id();
    }

    public long seq() {
        return identity.seq();
    }

    public String owner() {
        return identity.owner();
    }

    public String submittedAt() {
        return identity.submittedAt();
    }

    public JobState state() {
        return lifecycle.state();
    }

    public boolean cancelRequested() {
        return lifecycle.cancelRequested();
    }

    public int attempt() {
        return lifecycle.attempt();
    }

    public int restarts() {
        return lifecycle.restarts();
    }

    public int previousShards() {
        return lifecycle.previousShards();
    }

    /** The restarts in place of the current attempt ({@link GangRecovery#NONE} when there were none). */
    public GangRecovery recovery() {
        return lifecycle.recovery() == null ? GangRecovery.NONE : lifecycle.recovery();
    }

    /** This job with the restarts in place of its attempt replaced by {@code r}. */
    public JobRecord withRecovery(GangRecovery r) {
        return new JobRecord(identity, spec, new Lifecycle(state(), cancelRequested(), attempt(), restarts(),
                previousShards(), r.equals(GangRecovery.NONE) ? null : r, moveRequested()), placement, events, waiting,
                finalShards);
    }

    /** Why the API asked the running attempt to move off its nodes, or null. */
    public String moveRequested() {
        return lifecycle.moveRequested();
    }

    /** This job asked to move off its nodes at its next checkpoint, because {@code why}. */
    public JobRecord withMoveRequested(String why) {
        return new JobRecord(identity, spec, new Lifecycle(state(), cancelRequested(), attempt(), restarts(),
                previousShards(), lifecycle.recovery(), why), placement, events, waiting, finalShards);
    }

    /** This finished job with its last attempt's shard reports, as it moves to the history. */
    public JobRecord withFinalShards(List<ShardReport> reports) {
        return new JobRecord(identity, spec, lifecycle, placement, events, waiting, reports);
    }

    public JobRecord withEvent(JobEvent event) {
        List<JobEvent> next = new ArrayList<>(events);
        next.add(event);
        if (next.size() > MAX_EVENTS) {
            next = next.subList(next.size() - MAX_EVENTS, next.size());
        }
        return new JobRecord(identity, spec, lifecycle, placement, next, waiting, finalShards);
    }

    public JobRecord withState(JobState newState) {
        return new JobRecord(identity, spec, lifecycle.withState(newState), placement, events, waiting, finalShards);
    }

    /** At {@code attempt}, with {@code restarts} spent (a job restored or built for a test). */
    public JobRecord withAttempt(int attempt, int restarts) {
        return new JobRecord(identity, spec, new Lifecycle(state(), cancelRequested(), attempt, restarts, previousShards(),
                attempt == attempt() ? lifecycle.recovery() : null, attempt == attempt() ? moveRequested() : null),
                placement, events, waiting, finalShards);
    }

    public JobRecord withPlacement(Plan plan) {
        return new JobRecord(identity, spec, lifecycle, plan, events, null, finalShards);
    }

    public JobRecord withCancelRequested() {
        return new JobRecord(identity, spec, new Lifecycle(state(), true, attempt(), restarts(), previousShards(),
                lifecycle.recovery(), moveRequested()),
                placement, events, waiting, finalShards);
    }

    public JobRecord withWaiting(Waiting why) {
        return new JobRecord(identity, spec, lifecycle, placement, events, why, finalShards);
    }

    /** Why it waits, for people; null when it does not wait. */
    public String waitingReason() {
        return waiting == null ? null : waiting.reason();
    }

    /** A new attempt: back to the queue with no placement. */
    public JobRecord restarted() {
        return nextAttempt(restarts() + 1);
    }

    /** A new attempt that does not count as a restart (growing onto returned capacity): no placement yet. */
    public JobRecord regrown() {
        return nextAttempt(restarts());
    }

    private JobRecord nextAttempt(int restarts) {
        int previous = placement == null ? previousShards() : placement.shards().size();
        return new JobRecord(identity, spec, new Lifecycle(JobState.QUEUED, cancelRequested(), attempt() + 1, restarts,
                previous), null, events, null, finalShards);
    }
}
