package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.EventType;
import io.tessera.config.wire.ShardPhase;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobEvent;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobState;
import io.tessera.scheduler.model.ShardOutcomes;
import io.tessera.scheduler.placement.ShardPlan;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The job state machine. Pure: given a job and what was observed about it, returns the next
 * record and the actions the caller must carry out. Placement (QUEUED to PLACED) is not here;
 * it is the applier's transition.
 */
public final class JobLifecycle {
    private JobLifecycle() {
    }

    /** Side effects the caller performs after storing the new record. */
    public enum Action {
        /** Take the job's shards out of the nodes' assignment sets (agents then kill the workers). */
        RELEASE_DEVICES,
        /** Forget shard reports of the finished attempt. */
        CLEAR_SHARD_REPORTS,
        /** Write the image digest each shard reported into its assignment, so its agent starts it ({@link ImagePins}). */
        PIN_IMAGES
    }

    /**
     * What the loop saw.
     *
     * @param reports     latest shard reports by shard index (any attempt; stale ones are ignored here)
     * @param lostNodes   names of LOST nodes
     * @param now         ISO-8601 time for events
     * @param stopGraceMs how long a preempted job's workers may take to stop before it is requeued anyway
     * @param healthyNodes which nodes may keep a worker restarted in place ({@link RecoveryLadder}): in the fleet,
     *                     not suspect, their devices healthy
     */
    public record Observation(Map<Integer, ShardReport> reports, Set<String> lostNodes, String now, long stopGraceMs,
                              Predicate<String> healthyNodes) {
        public Observation(Map<Integer, ShardReport> reports, Set<String> lostNodes, String now, long stopGraceMs) {
            this(reports, lostNodes, now, stopGraceMs, node -> !lostNodes.contains(node));
        }

        public Observation(Map<Integer, ShardReport> reports, Set<String> lostNodes, String now) {
            this(reports, lostNodes, now, 30_000);
        }
    }

    /** The next record (the same instance when nothing changes) and the actions to perform. */
    public record Transition(JobRecord job, List<Action> actions) {
        public boolean changed(JobRecord before) {
            return job != before;
        }
    }

    public static Transition next(JobRecord job, Observation obs) {
        if (job.state().terminal()) {
            return new Transition(job, List.of());
        }
        if (job.cancelRequested()) {
            return cancel(job, obs.now());
        }
        if (!job.state().active()) {
            return new Transition(job, List.of());
        }
        if (job.state() == JobState.PREEMPTING) {
            return preempting(job, obs);
        }
        Optional<String> lost = lostShards(job, obs.lostNodes());
        if (lost.isPresent()) {
            return fail(job, EventType.NODE_LOST, lost.get(), obs.now());
        }
        List<ShardReport> current = current(job, obs);
        Optional<ShardReport> failed = ShardOutcomes.firstFailure(current);
        if (failed.isPresent()) {
            Optional<Transition> inPlace = RecoveryLadder.restartInPlace(job, current, obs);
            if (inPlace.isPresent()) {
                return inPlace.get();
            }
            if (settling(job, current, failed.get(), obs)) {
                return new Transition(job, List.of());
            }
            if (failed.get().phase() == ShardPhase.REFUSED) {
                return refused(job, failed.get(), obs.now());
            }
            if (failed.get().phase() == ShardPhase.FAILED_TO_START) {
                return notStarted(job, failed.get(), obs.now());
            }
            return fail(job, EventType.SHARD_FAILED, failure(failed.get(), current), obs.now());
        }
        Optional<Transition> back = RecoveryLadder.returned(job, current, obs.now());
        if (back.isPresent()) {
            return back.get();
        }
        Optional<Transition> pin = ImagePins.decide(job, currentByShard(current), obs.now());
        if (pin.isPresent()) {
            return pin.get();
        }
        int n = job.placement().shards().size();
        long succeeded = current.stream().filter(r -> r.phase() == ShardPhase.EXITED && exit(r) == 0).count();
        if (succeeded == n) {
            JobRecord done = job.withState(JobState.SUCCEEDED)
                    .withEvent(new JobEvent(obs.now(), EventType.SUCCEEDED, "all " + n + " shards exited 0"));
            return new Transition(done, List.of(Action.RELEASE_DEVICES));
        }
        long started = current.stream().filter(r -> r.phase() == ShardPhase.RUNNING || r.phase() == ShardPhase.EXITED).count();
        if (job.state() == JobState.PLACED && started == n) {
            long restartedAt = restartedAtMs(job);
            String cost = restartedAt == 0 ? "" : String.format(Locale.ROOT, "; the gang restart took %.1f s from the "
                    + "failure", (Instant.parse(obs.now()).toEpochMilli() - restartedAt) / 1000.0);
            JobRecord running = job.withState(JobState.RUNNING).withEvent(new JobEvent(obs.now(), EventType.RUNNING,
                    "all " + n + " shards started (attempt " + job.attempt() + ")" + cost));
            return new Transition(running, List.of());
        }
        return new Transition(job, List.of());
    }

    /**
     * A preempted job goes back to the queue once every shard of its attempt has stopped, its grace
     * period has run out, or a node of it was lost: devices released, attempt bumped, no restart
     * counted. Until then it keeps its devices, so its workers can checkpoint.
     */
    private static Transition preempting(JobRecord job, Observation obs) {
        List<ShardReport> current = current(job, obs);
        boolean stopped = current.size() == job.placement().shards().size()
                && current.stream().allMatch(r -> r.phase() == ShardPhase.EXITED || r.phase() == ShardPhase.KILLED
                        || r.phase() == ShardPhase.FAILED_TO_START || r.phase() == ShardPhase.REFUSED);
        boolean overdue = preemptedAtMs(job) + obs.stopGraceMs() <= Instant.parse(obs.now()).toEpochMilli();
        boolean lost = lostShards(job, obs.lostNodes()).isPresent();
        if (!stopped && !overdue && !lost) {
            return new Transition(job, List.of());
        }
        String why = stopped ? "its workers stopped" : lost ? "a node of it was lost" : "its grace period ran out";
        Long checkpoint = current.stream().map(ShardReport::checkpointStep).filter(c -> c != null)
                .min(Long::compare).orElse(null);
        EventType type = job.moveRequested() != null ? EventType.EVACUATED : EventType.PREEMPTED;
        JobRecord back = job.regrown().withEvent(new JobEvent(obs.now(), type, "back in the queue (" + why
                + "); it resumes from " + (checkpoint == null ? "its last checkpoint" : "its checkpoint at step " + checkpoint)
                + "; not counted against restartLimit"));
        return new Transition(back, List.of(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS));
    }

    /** The agent refused to start a shard because the job's spec is at fault: fail now, spending no restart. */
    private static Transition refused(JobRecord job, ShardReport r, String now) {
        JobRecord failed = job.withEvent(new JobEvent(now, EventType.SHARD_REFUSED, ShardOutcomes.describe(r)))
                .withState(JobState.FAILED).withEvent(new JobEvent(now, EventType.FAILED, "the job cannot run as specified; "
                        + "no restart was spent, since every attempt would fail the same way: fix the spec and resubmit"));
        return new Transition(failed, List.of(Action.RELEASE_DEVICES));
    }

    /** How many times Tessera's own machinery may fail to start a job before it gives up on it. */
    public static final int NOT_STARTED_LIMIT = 5;

    /**
     * Tessera's machinery on a node could not start a shard (its directories, environment file or
     * launcher): the fleet's fault, not the job's. The gang is placed again with backoff and no
     * restart is spent; after {@link #NOT_STARTED_LIMIT} such attempts the job fails, saying whose
     * fault it is, rather than circling forever.
     */
    private static Transition notStarted(JobRecord job, ShardReport r, String now) {
        JobRecord noted = job.withEvent(new JobEvent(now, EventType.SHARD_NOT_STARTED, ShardOutcomes.describe(r)));
        long times = noted.events().stream().filter(e -> e.type() == EventType.SHARD_NOT_STARTED).count();
        if (times >= NOT_STARTED_LIMIT) {
            JobRecord failed = noted.withState(JobState.FAILED).withEvent(new JobEvent(now, EventType.FAILED, "Tessera could "
                    + "not start the job's workers " + times + " times; this is the fleet's fault, not the job's spec: "
                    + "ask an operator to look at the node named above, then resubmit (no restart was spent)"));
            return new Transition(failed, List.of(Action.RELEASE_DEVICES));
        }
        JobRecord again = noted.regrown().withEvent(new JobEvent(now, EventType.RESTARTING, "placing the gang again: Tessera "
                + "could not start it (" + times + " of " + NOT_STARTED_LIMIT + "; not counted against restartLimit)",
                job.attempt() + 1, null));
        return new Transition(again, List.of(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS));
    }

    /** When the job was told to stop: its latest PREEMPTING or EVACUATING event (0: none). */
    public static long preemptedAtMs(JobRecord job) {
        return Math.max(latestAtMs(job, EventType.PREEMPTING), latestAtMs(job, EventType.EVACUATING));
    }

    /**
     * When the current attempt's gang restart was decided: the RESTARTING event just before its
     * PLACED event (0: the attempt did not follow a failure). So the gang rung's cost is an event too.
     */
    static long restartedAtMs(JobRecord job) {
        boolean placed = false;
        for (int i = job.events().size() - 1; i >= 0; i--) {
            JobEvent e = job.events().get(i);
            if (e.type() == EventType.PLACED) {
                if (placed) {
                    return 0;
                }
                placed = true;
            } else if (placed && e.type() == EventType.RESTARTING) {
                return Instant.parse(e.at()).toEpochMilli();
            }
        }
        return 0;
    }

    /** When the job's current plan was committed: its latest PLACED event (0: none). */
    public static long placedAtMs(JobRecord job) {
        return latestAtMs(job, EventType.PLACED);
    }

    private static long latestAtMs(JobRecord job, EventType type) {
        for (int i = job.events().size() - 1; i >= 0; i--) {
            if (job.events().get(i).type() == type) {
                return Instant.parse(job.events().get(i).at()).toEpochMilli();
            }
        }
        return 0;
    }

    /** The reports of the attempt's current workers: its attempt, and each shard's latest incarnation. */
    private static List<ShardReport> current(JobRecord job, Observation obs) {
        return job.placement().shards().stream().map(s -> obs.reports().get(s.shard()))
                .filter(r -> r != null && r.attempt() == job.attempt()
                        && r.incarnationOrZero() == job.recovery().incarnation(r.shard())).toList();
    }

    private static Transition cancel(JobRecord job, String now) {
        JobRecord cancelled = job.withState(JobState.CANCELLED)
                .withEvent(new JobEvent(now, EventType.CANCELLED, job.state().active()
                        ? "cancelled by request; its workers are being stopped" : "cancelled by request"));
        return new Transition(cancelled, job.state().active() ? List.of(Action.RELEASE_DEVICES) : List.of());
    }

    /**
     * Restart the whole gang if the limit allows, else fail the job. A node lost before the attempt
     * even started (still PLACED) is the fleet's fault, not the job's, so that restart is free.
     */
    private static Transition fail(JobRecord job, EventType type, String why, String now) {
        JobRecord noted = job.withEvent(new JobEvent(now, type, why));
        List<Action> actions = List.of(Action.RELEASE_DEVICES, Action.CLEAR_SHARD_REPORTS);
        // A job that fails for good keeps its last attempt's reports: its shard view shows how each ended.
        List<Action> final_ = List.of(Action.RELEASE_DEVICES);
        if (type == EventType.NODE_LOST && job.state() == JobState.PLACED) {
            return new Transition(noted.regrown().withEvent(new JobEvent(now, EventType.RESTARTING, "re-placing the gang: the "
                    + "node was lost before this attempt started (not counted against restartLimit)")), actions);
        }
        if (job.restarts() < job.spec().restartLimit()) {
            // The event carries the new attempt, which makes it back off; a lost node is the fleet's fault: no backoff.
            JobRecord again = noted.restarted().withEvent(new JobEvent(now, EventType.RESTARTING, "restarting the whole gang "
                    + "from its last checkpoint (restart " + (job.restarts() + 1) + " of " + job.spec().restartLimit() + ")",
                    type == EventType.NODE_LOST ? null : job.attempt() + 1, null));
            return new Transition(again, actions);
        }
        JobRecord failed = noted.withState(JobState.FAILED).withEvent(new JobEvent(now, EventType.FAILED,
                "restart limit " + job.spec().restartLimit() + " reached; the job failed"));
        return new Transition(failed, final_);
    }

    private static Optional<String> lostShards(JobRecord job, Set<String> lostNodes) {
        Set<String> nodes = new TreeSet<>();
        Set<Integer> shards = new TreeSet<>();
        for (ShardPlan s : job.placement().shards()) {
            if (lostNodes.contains(s.node())) {
                nodes.add(s.node());
                shards.add(s.shard());
            }
        }
        return nodes.isEmpty() ? Optional.empty()
                : Optional.of("node " + String.join(", ", nodes) + " was lost (no heartbeat); shards " + shards + " ran there");
    }

    private static int exit(ShardReport r) {
        return r.exitCode() == null ? -1 : r.exitCode();
    }

    /**
     * How long after a shard fails the gang's other reports are awaited, so that the shard that
     * failed first is named rather than a peer whose report happened to arrive earlier.
     */
    public static final long SETTLE_MS = 2000;

    /**
     * Whether to wait for the rest of the gang's reports before failing the attempt: while some
     * shard still runs, for up to {@link #SETTLE_MS} after the first failure (by its agent's clock;
     * a clock skewed further than that is not waited for).
     */
    private static boolean settling(JobRecord job, List<ShardReport> current, ShardReport first, Observation obs) {
        boolean allEnded = current.size() == job.placement().shards().size()
                && current.stream().allMatch(r -> r.phase().terminal());
        if (allEnded || first.exit() == null) {
            return false;
        }
        long since = Instant.parse(obs.now()).toEpochMilli() - first.exit().atMs();
        return since > -SETTLE_MS && since < SETTLE_MS;
    }

    /** The first failure, and which peers failed after it. */
    private static String failure(ShardReport first, List<ShardReport> current) {
        List<Integer> peers = current.stream().filter(r -> r.shard() != first.shard()
                && ShardOutcomes.of(r, Optional.of(first)) == ShardOutcomes.Outcome.PEER_FAILED).map(ShardReport::shard)
                .sorted().toList();
        return ShardOutcomes.describe(first) + (peers.isEmpty() ? "" : "; shards " + peers
                + " failed after it, most likely because it did");
    }

    private static Map<Integer, ShardReport> currentByShard(List<ShardReport> current) {
        Map<Integer, ShardReport> out = new HashMap<>();
        current.forEach(r -> out.put(r.shard(), r));
        return out;
    }
}
