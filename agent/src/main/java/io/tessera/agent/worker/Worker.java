package io.tessera.agent.worker;

import java.util.ArrayList;
import java.util.List;
import io.tessera.config.wire.ShardReport;
import io.tessera.config.wire.ShardAssignment;
import java.nio.file.Path;
import io.tessera.agent.container.ContainerRuntime;

/** Mutable bookkeeping for one worker; owned and guarded by {@link WorkerSupervisor}. */
final class Worker {
    final ShardAssignment assignment;
    final Path log;
    WorkerLifecycle.State state = WorkerLifecycle.State.NEW;
    Process process;
    Integer exitCode;
    String message;
    /** The highest checkpoint step seen in the log so far; kept because the line may scroll out of the tail read. */
    Long checkpoint;
    /** How long the latest checkpoint that said so took to write ({@code seconds=}); kept as {@link #checkpoint} is. */
    Double checkpointSec;
    /** How long a preempted worker may take to stop after SIGTERM (from the scheduler's stop request). */
    long stopGraceMs;
    /** How it ended, once it has. */
    ShardReport.Exit exit;
    /** The latest progress read from the log; kept because rotation may empty the log. */
    ProgressReader.Progress progress;
    /** The launcher's environment file, removed when the worker exits. */
    Path envFile;
    /** The batch splits the scheduler gave this attempt, oldest first ({@code TESSERA_SPLIT_FILE}). */
    final List<ShardFiles.Split> splits = new ArrayList<>();
    /** The worker's container, when its shard runs in an image (null: a host process). */
    String container;
    /** The container's environment file (the agent's alone), removed when the worker exits. */
    Path containerEnvFile;
    /** The digest of the image the container runs (or, before it starts, the one this node resolved). */
    String imageDigest;
    /** The image made present for it, while it waits for the scheduler to pin the digest. */
    ContainerRuntime.Prepared prepared;
    /** The digest the scheduler pinned, when it came in an updated assignment. */
    String pinned;
    /** Why the agent refused to start it, when it did. */
    ShardReport.Refusal refusal;
    /** The job's uid the split file belongs to (-1: the agent's own). */
    int uid = -1;

    /** The gang generation this worker was last told (its gang file's). */
    int generation;

    Worker(ShardAssignment assignment, Path log) {
        this.assignment = assignment;
        this.log = log;
        this.generation = assignment.generation();
    }

    /** What its output last said; the newest checkpoint (and its write time) is kept as the lines scroll or rotate. */
    void progressed(ProgressReader.Progress p) {
        progress = p;
        if (p.checkpoint() != null && (checkpoint == null || p.checkpoint() > checkpoint)) {
            checkpoint = p.checkpoint();
        }
        if (p.checkpointSec() != null) {
            checkpointSec = p.checkpointSec();
        }
    }

    /** Its report: phase, process, exit, progress, and its incarnation once it was restarted in place. */
    ShardReport report() {
        ShardAssignment a = assignment;
        ShardReport.Progress reported = progress != null ? progress.toReport(checkpoint, checkpointSec)
                : new ShardReport.Progress(null, null, null, checkpoint, null, null, checkpointSec);
        return new ShardReport(a.jobId(), a.shard(), a.attempt(), state.phase(), exitCode,
                process == null ? null : process.pid(), message, exit, reported, imageDigest, refusal,
                a.incarnation() == 0 ? null : a.incarnation());
    }

    /** Identity of a worker: one attempt of one shard of one job. */
    static String key(ShardAssignment a) {
        return a.jobId() + "/" + a.shard() + "/" + a.attempt();
    }
}
