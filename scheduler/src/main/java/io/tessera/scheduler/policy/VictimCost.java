package io.tessera.scheduler.policy;

import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.policy.VictimSelector.Candidate;
import java.util.Map;

/**
 * What preempting a running job costs, from its spec and its shards' reports of the current
 * attempt: the work since its last durable checkpoint (the steps since the newest
 * {@code TESSERA_CHECKPOINT step=N} any shard is past, at the plan's step time), and one restart:
 * what the job declares ({@code scheduling.restartCostSec}), else how long its latest checkpoint
 * took to write (the slowest shard's {@code seconds=}) plus the cluster's default for restoring it
 * and starting again. Users and workers are untrusted, so neither can shield a job by claiming
 * more: the restart counts at most the cluster's ceiling, and the lost work at most the time the
 * attempt has been placed. Pure.
 */
public final class VictimCost {
    private VictimCost() {
    }

    /** What a restart may count: the cluster's default and its ceiling ({@code preemption:}). */
    public record Restart(double defaultSec, double maxSec) {
    }

    /**
     * @param reports     the job's shard reports, by shard; those of other attempts count for nothing
     * @param restart     the cluster's restore and start-up time, and the most a restart counts
     * @param startedAtMs when its current attempt was placed
     * @param nowMs       now: the lost work is at most the time since {@code startedAtMs}
     */
    public static Candidate of(JobRecord job, Map<Integer, ShardReport> reports, Restart restart, long startedAtMs,
                               long nowMs) {
        Double declared = job.spec().scheduling().restartCostSec();
        double save = 0;
        for (ShardReport r : reports.values()) {
            if (r.attempt() == job.attempt() && r.checkpointSec() != null) {
                save = Math.max(save, r.checkpointSec());
            }
        }
        int devices = job.placement().shards().stream().mapToInt(sh -> sh.devices().size()).sum();
        double restartSec = Math.min(restart.maxSec(), declared != null ? declared : save + restart.defaultSec());
        double placedSec = Math.max(0, nowMs - startedAtMs) / 1000.0;
        return new Candidate(job, Math.min(placedSec, lostWorkSec(job, reports)), restartSec, devices, startedAtMs);
    }

    /** Seconds of work since the job's last checkpoint, from its shards' reports and its predicted step time. */
    public static double lostWorkSec(JobRecord job, Map<Integer, ShardReport> reports) {
        long lost = 0;
        for (ShardReport r : reports.values()) {
            if (r.attempt() == job.attempt() && r.step() != null) {
                lost = Math.max(lost, r.step() - (r.checkpointStep() == null ? 0 : r.checkpointStep()));
            }
        }
        return lost * job.placement().stepTimeSec();
    }
}
