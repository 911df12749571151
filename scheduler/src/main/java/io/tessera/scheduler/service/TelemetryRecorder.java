package io.tessera.scheduler.service;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import io.tessera.scheduler.placement.PlacementResult.Plan;
import io.tessera.scheduler.state.ClusterStore;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adds to each job's training curve ({@link JobTelemetry}) what its shards report, as heartbeats
 * arrive on this member: for a job whose shards said something about their training, a point of
 * all its current reports (the slowest shard's step, samples/s per vendor, rank 0's metrics).
 * At most one point per job per {@link #EVERY_MS} on each member, so a busy fleet costs a read of
 * the job and its reports about once a second per training job, not per heartbeat. Blocking;
 * thread-safe.
 */
final class TelemetryRecorder {
    static final long EVERY_MS = 1000;
    private static final int MAX_REMEMBERED = 100_000;
    private final ClusterStore store;
    /** When this member last added a point for each job. */
    private final Map<String, Long> recordedAt = new ConcurrentHashMap<>();

    TelemetryRecorder(ClusterStore store) {
        this.store = store;
    }

    /** Records what {@code reports} (one node's, already stored) say of their jobs' training, at {@code nowMs}. */
    void heard(Collection<ShardReport> reports, long nowMs) {
        Set<String> jobs = new TreeSet<>();
        for (ShardReport r : reports) {
            if (r.step() != null || r.samplesPerSec() != null || !r.metrics().isEmpty()) {
                jobs.add(r.jobId());
            }
        }
        if (recordedAt.size() > MAX_REMEMBERED) {
            recordedAt.clear(); // only a rate limit: forgetting costs one early point per job
        }
        for (String id : jobs) {
            Long last = recordedAt.get(id);
            if (last != null && nowMs - last < EVERY_MS) {
                continue;
            }
            recordedAt.put(id, nowMs);
            store.job(id).ifPresent(job -> record(job, nowMs));
        }
    }

    private void record(JobRecord job, long nowMs) {
        Plan plan = job.placement();
        if (plan == null || job.state().terminal()) {
            return;
        }
        Map<Integer, ShardReport> all = store.shardReports(job.id(), plan.shards().size());
        Optional<JobTelemetry.Point> point = JobTelemetry.Point.of(nowMs, job.attempt(), all.values(), plan.shards(),
                plan.predictedSamplesPerSec());
        point.ifPresent(p -> store.telemetry().update(job.id(), t -> t.with(p)));
    }
}
