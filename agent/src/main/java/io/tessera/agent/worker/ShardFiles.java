package io.tessera.agent.worker;

import io.tessera.config.wire.ShardAssignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The on-disk layout of a node's workers, made so that no job can reach another's files and no
 * worker can steer the root agent with a planted link:
 * <pre>
 * workDir/                        root 0711
 *   logs/                         root 0700   (the agent writes logs; workers never see them)
 *     JOB/shard-N.log             root 0600
 *   jobs/                         root 0711
 *     JOB/                        root 0711   (only root creates entries here)
 *       shard-N/                  job  0700   the worker's HOME and working directory
 *       .launch-N-K.env           job  0600   the worker's environment, emptied by the launcher
 *   checkpoints/                  root 0711
 *     JOB/                        job  0700   the default TESSERA_CHECKPOINT_DIR
 * </pre>
 * A checkpoint directory the job names itself is created, when missing, <em>with the job's own
 * rights</em> ({@code mkdir -p} as the job's uid), so a job can never make the root agent create a
 * directory where the job itself could not (a drop-in directory under /etc, say); one that is a
 * link, or that belongs to another job's uid, is refused.
 */
final class ShardFiles {
    static final String TRAVERSE = "rwx--x--x";
    static final String PRIVATE = "rwx------";
    private final Path workDir;
    private final WorkerIdentity identity;
    private final WorkerLauncher launcher;

    ShardFiles(Path workDir, WorkerIdentity identity, WorkerLauncher launcher) {
        this.workDir = workDir;
        this.identity = identity;
        this.launcher = launcher;
    }

    Path jobsDir() {
        return workDir.resolve("jobs");
    }

    Path log(String jobId, int shard) {
        return workDir.resolve("logs").resolve(safe(jobId)).resolve("shard-" + shard + ".log");
    }

    /** Creates the log's directories; the agent (root) alone reads and writes them. */
    Path prepareLog(ShardAssignment a) throws IOException {
        SafeFiles.ensureDir(workDir, TRAVERSE, -1);
        SafeFiles.ensureDir(workDir.resolve("logs"), PRIVATE, -1);
        Path log = log(a.jobId(), a.shard());
        SafeFiles.ensureDir(log.getParent(), PRIVATE, -1);
        return log;
    }

    /** The shard's working directory, owned by {@code uid} (-1: the agent). */
    Path prepareShardDir(ShardAssignment a, int uid) throws IOException {
        SafeFiles.ensureDir(jobsDir(), TRAVERSE, -1);
        Path job = jobsDir().resolve(safe(a.jobId()));
        SafeFiles.ensureDir(job, TRAVERSE, -1);
        Path dir = job.resolve("shard-" + a.shard());
        SafeFiles.ensureDir(dir, PRIVATE, uid);
        return dir;
    }

    /** Where the launcher reads the shard's environment from. */
    Path envFile(ShardAssignment a) {
        return jobsDir().resolve(safe(a.jobId())).resolve(".launch-" + a.shard() + "-" + a.attempt() + ".env");
    }

    /** The checkpoint directory the worker gets, ready for {@code ids} (empty: the agent's own user). */
    Path prepareCheckpointDir(ShardAssignment a, java.util.Optional<WorkerIdentity.Ids> ids) throws IOException {
        int uid = ids.map(WorkerIdentity.Ids::uid).orElse(-1);
        if (a.checkpointDir() == null) {
            SafeFiles.ensureDir(workDir.resolve("checkpoints"), TRAVERSE, -1);
            Path dir = workDir.resolve("checkpoints").resolve(safe(a.jobId()));
            SafeFiles.ensureDir(dir, PRIVATE, uid);
            return dir;
        }
        Path dir = Path.of(a.checkpointDir());
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            createAsJob(dir, ids);
        }
        PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
            throw new IOException("checkpointDir " + dir + " is a link or not a directory; refusing to use it");
        }
        int owner = SafeFiles.uidOf(dir);
        if (identity.isJobUid(owner) && owner != uid) {
            throw new IOException("checkpointDir " + dir + " belongs to another job (uid " + owner
                    + "); name a directory of this job's own");
        }
        return dir;
    }

    /** {@code mkdir -p -m 700 dir} with the job's rights (or the agent's own, when workers run as the agent). */
    private void createAsJob(Path dir, java.util.Optional<WorkerIdentity.Ids> ids) throws IOException {
        if (ids.isEmpty()) {
            Files.createDirectories(dir);
            return;
        }
        var r = launcher.runAs(ids.get(), java.util.List.of("mkdir", "-p", "-m", "700", "--", dir.toString()));
        if (!r.ok()) {
            throw new IOException("the job's user cannot create its checkpointDir " + dir + ": " + r.describe("mkdir"));
        }
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
