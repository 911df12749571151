package io.tessera.scheduler.loop;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.state.Change;
import io.tessera.scheduler.state.ClusterReads;
import io.tessera.scheduler.state.PlanApplier;
import io.tessera.scheduler.state.ClusterView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader loop stage that keeps hot state small: a job that has been finished for
 * {@code graceMs} moves from the cluster state to the history (written there first,
 * then deleted from the hot map, so it is readable throughout), and history older than
 * {@code retentionMs} is purged. Runs at most once a second.
 */
public final class HistoryMover {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryMover.class);
    private static final long EVERY_MS = 1000;
    private static final long PURGE_EVERY_MS = 600_000;
    private final ClusterReads store;
    private final ClusterView view;
    private final Clock clock;
    private final long graceMs;
    private final long retentionMs;
    /** When the moves and the purge last ran. */
    private final CycleMemory memory;

    public HistoryMover(ClusterReads store, ClusterView view, Clock clock, long graceMs,
                        long retentionMs, CycleMemory memory) {
        this.memory = memory;
        this.view = view;
        this.store = store;
        this.clock = clock;
        this.graceMs = graceMs;
        this.retentionMs = retentionMs;
    }

    /** When a finished job finished: the time of its last event. */
    public static long finishedAt(JobRecord job) {
        return job.events().isEmpty() ? 0 : Instant.parse(job.events().get(job.events().size() - 1).at()).toEpochMilli();
    }

    /** The finished jobs due to move at {@code nowMs}. Pure. */
    static List<JobRecord> due(Collection<JobRecord> jobs, long nowMs, long graceMs) {
        return jobs.stream().filter(j -> j.state().terminal() && finishedAt(j) + graceMs <= nowMs).toList();
    }

    /** The finished jobs due to move, and the purge of old history when it is due, for the loop to commit (the applier holds the history). */
    public StageDecision moveFinished() {
        return moveFinished(CycleState.of(view));
    }

    /** {@link #moveFinished()} over the jobs of {@code s}. */
    public StageDecision moveFinished(CycleState s) {
        long now = clock.millis();
        if (!memory.due("history", now, EVERY_MS)) {
            return StageDecision.NONE;
        }
        List<Change> moves = new ArrayList<>();
        for (JobRecord job : due(s.jobs(), now, graceMs)) {
            int shards = job.placement() == null ? 0 : job.placement().shards().size();
            List<ShardReport> last = shards == 0 ? List.of()
                    : store.shardReports(job.id(), shards).values().stream().filter(r -> r.attempt() == job.attempt()).toList();
            moves.add(new Change.MoveToHistory(job, job.withFinalShards(last), finishedAt(job), shards));
        }
        if (memory.due("history-purge", now, PURGE_EVERY_MS)) {
            moves.add(new Change.PurgeHistory(now - retentionMs));
        }
        return StageDecision.of(moves, outcomes -> {
            for (int i = 0; i < moves.size(); i++) {
                if (moves.get(i) instanceof Change.MoveToHistory m && outcomes.get(i) instanceof PlanApplier.Committed) {
                    LOG.debug("job {} moved to the history", m.job().id());
                }
            }
        });
    }
}
