package io.tessera.scheduler.state;

import io.tessera.scheduler.model.EventType;
import io.tessera.scheduler.model.FleetUsage;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.placement.ShardPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One write the scheduling loop decided, as data. The loop's stages return changes; only
 * {@link PlanApplier#commit} writes them, in one transaction fenced by the leader's term, each
 * re-checked against live state first. A change that no longer applies is left out with a
 * {@link PlanApplier.Conflict} saying why; the stage that proposed it decides again next pass.
 */
public sealed interface Change {
    /** The nodes whose records or assignment sets {@code c} writes, as far as the change itself names them. */
    static List<String> nodesOf(Change c) {
        if (c instanceof NodeLost n) {
            return List.of(n.node());
        }
        Plan plan = c instanceof Place p ? p.plan() : c instanceof Regrow r ? r.plan() : c instanceof Resplit r ? r.plan()
                : c instanceof ReplaceShards r ? r.plan()
                : c instanceof Transition t && t.from().placement() != null ? t.from().placement() : null;
        return plan == null ? List.of() : plan.shards().stream().map(ShardPlan::node).distinct().toList();
    }

    /** The jobs whose records {@code c} writes. */
    static List<String> jobsOf(Change c) {
        if (c instanceof Place p) {
            return List.of(p.jobId());
        } else if (c instanceof Regrow r) {
            return List.of(r.jobId());
        } else if (c instanceof Resplit r) {
            return List.of(r.jobId());
        } else if (c instanceof ReplaceShards r) {
            return List.of(r.jobId());
        } else if (c instanceof Evict e) {
            return List.of(e.jobId());
        } else if (c instanceof Transition t) {
            return List.of(t.from().id());
        } else if (c instanceof Note n) {
            return List.of(n.jobId());
        } else if (c instanceof MoveToHistory m) {
            return List.of(m.job().id());
        }
        return List.of();
    }


    /** What kind of write: for metrics and logs. */
    Kind kind();

    /** The kinds of leader write. */
    enum Kind { PLACE, REGROW, REPLACE_SHARDS, RESPLIT, EVICT, NODE_LOST, TRANSITION, NOTE, ESTIMATED_STARTS, PROFILE, HISTORY_MOVE,
        HISTORY_PURGE, FLEET_SAMPLE }

    /** A queued job's plan: re-checked (still QUEUED at {@code attempt}, every device free and healthy), then PLACED. */
    record Place(String jobId, int attempt, Plan plan) implements Change {
        @Override
        public Kind kind() {
            return Kind.PLACE;
        }
    }

    /**
     * A running job moved onto {@code plan} in one step (its own devices count as free), at the next
     * attempt without spending a restart; the old attempt's shard reports are forgotten.
     *
     * @param event GROWING or MIGRATING
     */
    record Regrow(String jobId, int attempt, Plan plan, EventType event, String why) implements Change {
        @Override
        public Kind kind() {
            return Kind.REGROW;
        }
    }

    /**
     * The shard rung: a RUNNING job's shards {@code replaced}, whose nodes were lost, moved onto the
     * new devices of {@code plan} at the same attempt; the other shards keep their devices and
     * processes, every shard learns the gang's new generation and rendezvous, and the job's reports
     * are kept. Re-checked as a place is: still RUNNING at {@code attempt}, the new devices free and healthy.
     * {@code edit} is the job record's change the loop decided (the shards' next incarnations, the event).
     */
    record ReplaceShards(String jobId, int attempt, Plan plan, Set<Integer> replaced, UnaryOperator<JobRecord> edit)
            implements Change {
        @Override
        public Kind kind() {
            return Kind.REPLACE_SHARDS;
        }
    }

    /** A running attempt's batch re-split by measured speed: still RUNNING at {@code attempt} on the split before. */
    record Resplit(String jobId, int attempt, Plan plan, String why) implements Change {
        @Override
        public Kind kind() {
            return Kind.RESPLIT;
        }
    }

    /**
     * A preemption victim, or a job evacuated from a drained node: if it still runs {@code attempt}
     * (PLACED or RUNNING), it becomes PREEMPTING with an {@code event} (PREEMPTING or EVACUATING) saying
     * {@code why}, and its shards are asked to stop within {@code graceMs}, keeping their devices until they have.
     */
    record Evict(String jobId, int attempt, String why, long graceMs, EventType event) implements Change {
        /** A preemption victim's eviction (event PREEMPTING). */
        public Evict(String jobId, int attempt, String why, long graceMs) {
            this(jobId, attempt, why, graceMs, EventType.PREEMPTING);
        }

        @Override
        public Kind kind() {
            return Kind.EVICT;
        }
    }

    /** A silent node: LOST if it is still READY and was last heard from no later than {@code heardByMs}. */
    record NodeLost(String node, long heardByMs) implements Change {
        @Override
        public Kind kind() {
            return Kind.NODE_LOST;
        }
    }

    /**
     * A lifecycle step ({@code JobLifecycle}): applies only if the job is still exactly {@code from};
     * then it becomes {@code to}, its devices are released and its reports forgotten as asked, and
     * each shard in {@code pins} has the image digest it maps to written into its assignment.
     */
    record Transition(JobRecord from, JobRecord to, boolean releaseDevices, boolean clearReports,
                      Map<Integer, String> pins) implements Change {
        public Transition {
            pins = pins == null ? Map.of() : Map.copyOf(pins);
        }

        public Transition(JobRecord from, JobRecord to, boolean releaseDevices, boolean clearReports) {
            this(from, to, releaseDevices, clearReports, Map.of());
        }

        @Override
        public Kind kind() {
            return Kind.TRANSITION;
        }
    }

    /**
     * A note on a queued job (its waiting reason, a WAITING or UNSCHEDULABLE event): {@code edit} is
     * applied to the job as it is at commit and returns it unchanged when the note no longer applies.
     */
    record Note(String jobId, UnaryOperator<JobRecord> edit) implements Change {
        @Override
        public Kind kind() {
            return Kind.NOTE;
        }
    }

    /** The reserved jobs' predicted starts after a pass, replacing the last ones (job id to ISO-8601 time). */
    record EstimatedStarts(Map<String, String> starts) implements Change {
        public EstimatedStarts {
            starts = Map.copyOf(starts);
        }

        @Override
        public Kind kind() {
            return Kind.ESTIMATED_STARTS;
        }
    }

    /** A job class's learned throughput profile, created or replaced. */
    record LearnProfile(ThroughputProfile profile) implements Change {
        @Override
        public Kind kind() {
            return Kind.PROFILE;
        }
    }

    /**
     * A finished job leaves hot state: if it is still exactly {@code job} (by id, state and attempt),
     * {@code archived} goes to the history, then the job and its {@code shards} reports are deleted.
     */
    record MoveToHistory(JobRecord job, JobRecord archived, long finishedAtMs, int shards) implements Change {
        @Override
        public Kind kind() {
            return Kind.HISTORY_MOVE;
        }
    }

    /** History that finished before {@code cutoffMs} is purged. */
    record PurgeHistory(long cutoffMs) implements Change {
        @Override
        public Kind kind() {
            return Kind.HISTORY_PURGE;
        }
    }

    /** The fleet's use per vendor now, added to its series ({@link FleetUsage#with}). */
    record FleetSample(FleetUsage.Point point) implements Change {
        @Override
        public Kind kind() {
            return Kind.FLEET_SAMPLE;
        }
    }
}
