package io.tessera.scheduler.loop;

import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.ClusterView;
import io.tessera.scheduler.state.JobHistory;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader loop stage that keeps hot state small: a job that has been finished for
 * {@code graceMs} moves from the cluster state to the {@link JobHistory} (written there first,
 * then deleted from the hot map, so it is readable throughout), and history older than
 * {@code retentionMs} is purged. Runs at most once a second.
 */
public final class HistoryMover {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryMover.class);
    private static final long EVERY_MS = 1000;
    private static final long PURGE_EVERY_MS = 600_000;
    private final ClusterStore store;
    private final ClusterView view;
    private final JobHistory history;
    private final Clock clock;
    private final long graceMs;
    private final long retentionMs;
    private long lastRun = Long.MIN_VALUE / 2;
    private long lastPurge = Long.MIN_VALUE / 2;

    public HistoryMover(ClusterStore store, ClusterView view, JobHistory history, Clock clock, long graceMs,
                        long retentionMs) {
        this.view = view;
        this.store = store;
        this.history = history;
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

    public void moveFinished() {
        long now = clock.millis();
        if (now - lastRun < EVERY_MS) {
            return;
        }
        lastRun = now;
        for (JobRecord job : due(view.jobs(), now, graceMs)) {
            int shards = job.placement() == null ? 0 : job.placement().shards().size();
            List<io.tessera.config.wire.ShardReport> last = shards == 0 ? List.of()
                    : store.shardReports(job.id(), shards).values().stream().filter(r -> r.attempt() == job.attempt()).toList();
            history.add(job.withFinalShards(last), finishedAt(job));
            store.clearShardReports(job.id(), shards);
            store.deleteJob(job.id());
            LOG.debug("job {} moved to the history", job.id());
        }
        if (now - lastPurge >= PURGE_EVERY_MS) {
            lastPurge = now;
            int purged = history.purgeFinishedBefore(now - retentionMs);
            if (purged > 0) {
                LOG.info("purged {} jobs that finished more than {} ms ago from the history", purged, retentionMs);
            }
        }
    }
}
