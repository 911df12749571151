package io.tessera.scheduler.state.memory;

import io.tessera.scheduler.state.JobHistory;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.JobTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@link JobHistory} in memory, for a member with memory-only state (and tests): keeps at most
 * {@code capacity} jobs, dropping the oldest first.
 */
public final class InMemoryJobHistory implements JobHistory {
    private record Entry(JobRecord job, long finishedAtMs) {
    }

    private final int capacity;
    private final ConcurrentSkipListMap<Long, Entry> bySeq = new ConcurrentSkipListMap<>();
    private final Map<String, Long> seqById = new ConcurrentHashMap<>();
    private final Map<String, JobTelemetry> telemetry = new ConcurrentHashMap<>();
    /** No entry finished before this, so a purge with an earlier cutoff has nothing to scan. */
    private volatile long earliestFinishMs = Long.MAX_VALUE;

    public InMemoryJobHistory(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized void add(JobRecord job, long finishedAtMs) {
        bySeq.put(job.seq(), new Entry(job, finishedAtMs));
        seqById.put(job.id(), job.seq());
        earliestFinishMs = Math.min(earliestFinishMs, finishedAtMs);
        while (bySeq.size() > capacity) {
            Entry oldest = bySeq.pollFirstEntry().getValue();
            seqById.remove(oldest.job().id());
            telemetry.remove(oldest.job().id());
        }
    }

    @Override
    public Optional<JobRecord> get(String id) {
        Long seq = seqById.get(id);
        return seq == null ? Optional.empty() : Optional.ofNullable(bySeq.get(seq)).map(Entry::job);
    }

    @Override
    public synchronized void addTelemetry(JobTelemetry t) {
        if (seqById.containsKey(t.jobId())) {
            telemetry.put(t.jobId(), t);
        }
    }

    @Override
    public Optional<JobTelemetry> telemetry(String id) {
        return Optional.ofNullable(telemetry.get(id));
    }

    @Override
    public List<JobRecord> page(Query q) {
        List<JobRecord> out = new ArrayList<>();
        var view = q.beforeSeq() == null ? bySeq.descendingMap() : bySeq.headMap(q.beforeSeq(), false).descendingMap();
        for (Entry e : view.values()) {
            if (out.size() >= q.limit()) {
                break;
            }
            if (q.matches(e.job())) {
                out.add(e.job());
            }
        }
        return out;
    }

    @Override
    public synchronized int purgeFinishedBefore(long cutoffMs) {
        if (cutoffMs <= earliestFinishMs) {
            return 0; // nothing finished that early: no scan
        }
        int[] n = {0};
        long[] earliest = {Long.MAX_VALUE};
        bySeq.values().removeIf(e -> {
            boolean old = e.finishedAtMs() < cutoffMs;
            if (old) {
                seqById.remove(e.job().id());
                telemetry.remove(e.job().id());
                n[0]++;
            } else {
                earliest[0] = Math.min(earliest[0], e.finishedAtMs());
            }
            return old;
        });
        earliestFinishMs = earliest[0];
        return n[0];
    }
}
