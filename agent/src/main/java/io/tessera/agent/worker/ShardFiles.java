package io.tessera.agent.worker;

import io.tessera.config.Documents;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
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
 *     JOB/shard-N/attempt-K.log   root 0600   one file per attempt; {@code .1} is the rotated part
 *   jobs/                         root 0711
 *     JOB/                        root 0711   (only root creates entries here)
 *       shard-N/                  job  0700   the worker's HOME and working directory
 *       .launch-N-K.env           job  0600   the worker's environment, emptied by the launcher
 *       .comm-N-K.json            job  0600   the attempt's communication plan (TESSERA_COMM_PLAN)
 *       .split-N-K.json           job  0600   the attempt's batch splits (TESSERA_SPLIT_FILE), replaced atomically
 *       .gang-N-K.json            job  0600   the gang's generation and rendezvous (TESSERA_GANG_FILE), replaced atomically
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

    /** The log of one attempt of one shard. */
    Path log(String jobId, int shard, int attempt) {
        return shardLogs(jobId, shard).resolve("attempt-" + attempt + ".log");
    }

    /** The directory of a shard's logs, one file per attempt. */
    Path shardLogs(String jobId, int shard) {
        return workDir.resolve("logs").resolve(safe(jobId)).resolve("shard-" + shard);
    }

    /** Creates the log's directories; the agent (root) alone reads and writes them. */
    Path prepareLog(ShardAssignment a) throws IOException {
        SafeFiles.ensureDir(workDir, TRAVERSE, -1);
        SafeFiles.ensureDir(workDir.resolve("logs"), PRIVATE, -1);
        Path log = log(a.jobId(), a.shard(), a.attempt());
        SafeFiles.ensureDir(log.getParent().getParent(), PRIVATE, -1);
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

    /**
     * Writes the attempt's communication plan as JSON where only the job's user can read it, and
     * returns its path; null when the assignment carries none.
     */
    Path writeCommPlan(ShardAssignment a, int uid) throws IOException {
        if (a.comm() == null) {
            return null;
        }
        Path file = jobsDir().resolve(safe(a.jobId())).resolve(".comm-" + a.shard() + "-" + a.attempt() + ".json");
        SafeFiles.writeSecret(file, Documents.json().writerWithDefaultPrettyPrinter()
                .writeValueAsString(a.comm()), uid);
        return file;
    }

    /** One batch split of a running attempt: its version and this shard's part of it. */
    record Split(int version, int microBatch, int accumulation) {
    }

    /** Where the attempt's splits are written. */
    Path splitFile(ShardAssignment a) {
        return jobsDir().resolve(safe(a.jobId())).resolve(".split-" + a.shard() + "-" + a.attempt() + ".json");
    }

    /**
     * Replaces the attempt's split file with {@code splits} ({@code {"splits": [{version, microBatch,
     * accumulation}, ...]}}), written aside and renamed over it, so a worker never reads half of it.
     */
    Path writeSplits(ShardAssignment a, List<Split> splits, int uid) throws IOException {
        Path file = splitFile(a);
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        SafeFiles.writeSecret(tmp, Documents.json().writeValueAsString(
                Map.of("splits", splits)), uid);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** The attempts of a shard whose logs this node holds, in order. */
    List<Integer> attempts(String jobId, int shard) {
        try (var list = Files.list(shardLogs(jobId, shard))) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.matches("attempt-\\d{1,9}\\.log"))
                    .map(n -> Integer.parseInt(n.substring(8, n.length() - 4))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Where the attempt's gang generation is written. */
    Path gangFile(ShardAssignment a) {
        return jobsDir().resolve(safe(a.jobId())).resolve(".gang-" + a.shard() + "-" + a.attempt() + ".json");
    }

    /**
     * Replaces the attempt's gang file with {@code {"generation": G, "masterAddr": A, "masterPort": P,
     * "env": {MASTER_ADDR, MASTER_PORT, TESSERA_COMM_*}}}, written aside and renamed over it: a worker
     * whose peer was restarted in place or replaced waits for a higher generation here, then re-forms
     * the gang at it, where {@code env} says it now meets.
     */
    Path writeGang(ShardAssignment a, int generation, int uid) throws IOException {
        Path file = gangFile(a);
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        SafeFiles.writeSecret(tmp, Documents.json().writeValueAsString(Map.of("generation", generation,
                "masterAddr", a.masterAddr(), "masterPort", a.masterPort(), "env", WorkerEnvironment.rendezvous(a))), uid);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Where the launcher reads the shard's environment from. */
    Path envFile(ShardAssignment a) {
        return jobsDir().resolve(safe(a.jobId())).resolve(".launch-" + a.shard() + "-" + a.attempt() + ".env");
    }

    /**
     * The job's own files cannot be used by its worker (its checkpoint directory, or a program or
     * file its command line names): the job's spec is at fault, not the node, and every attempt
     * would fail the same way.
     */
    static final class SpecFault extends IOException {
        private static final long serialVersionUID = 1L;

        SpecFault(String message) {
            super(message);
        }
    }

    /** Whether the user {@code ids} can enter directory {@code dir} (false when it cannot be told). */
    boolean reaches(WorkerIdentity.Ids ids, Path dir) {
        try {
            return Files.isDirectory(dir) && PathReach.traverse(dir, new PathReach.Who(ids.uid(), ids.gid(), ids.user())).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Refuses a job whose command line names a program or file (an absolute path that exists on
     * this node) that the job's user cannot reach: the program must be executable, a file
     * readable, a directory searchable, each through every directory on the way.
     *
     * @throws SpecFault naming the path, the directory or mode that stops the user, and the fix
     */
    void requireReachable(ShardAssignment a, Optional<WorkerIdentity.Ids> ids) throws IOException {
        if (ids.isEmpty()) {
            return;
        }
        PathReach.Who who = new PathReach.Who(ids.get().uid(), ids.get().gid(), ids.get().user());
        List<String> argv = a.argv();
        for (int i = 0; i < argv.size(); i++) {
            if (!argv.get(i).startsWith("/")) {
                continue;
            }
            Path p = Path.of(argv.get(i));
            Optional<PathReach.Blocked> blocked = i == 0 ? PathReach.execute(p, who)
                    : Files.isDirectory(p) ? PathReach.traverse(p, who) : PathReach.read(p, who);
            if (blocked.isPresent()) {
                throw new SpecFault("the job's user (" + who.name() + ") cannot reach " + p + ", which its command "
                        + "names: " + blocked.get().describe());
            }
        }
    }

    /**
     * The checkpoint directory the worker gets, ready for {@code ids} (empty: the agent's own
     * user), and checked to be writable by that user before anything is launched.
     *
     * @throws SpecFault when the job's user cannot create or write it, or it is another's
     */
    Path prepareCheckpointDir(ShardAssignment a, Optional<WorkerIdentity.Ids> ids) throws IOException {
        try {
            Path dir = checkpointDir(a, ids);
            boolean writable = writable(dir, ids);
            if (!writable && a.checkpointDir() == null) {
                throw new IOException("the job's user cannot write the agent's checkpoint directory " + dir
                        + "; is workDir still reachable by every user?");
            }
            if (!writable) {
                throw new SpecFault("the job's user (" + ids.map(WorkerIdentity.Ids::user)
                        .orElse(System.getProperty("user.name")) + ") cannot write its checkpoint directory " + dir);
            }
            return dir;
        } catch (SpecFault e) {
            throw e;
        } catch (IOException e) {
            if (a.checkpointDir() == null) {
                throw e; // the agent's own default directory: the node's problem, not the job's
            }
            throw new SpecFault(e.getMessage());
        }
    }

    private boolean writable(Path dir, Optional<WorkerIdentity.Ids> ids) {
        if (ids.isEmpty()) {
            return Files.isWritable(dir);
        }
        return launcher.runAs(ids.get(), List.of("test", "-w", dir.toString())).ok();
    }

    private Path checkpointDir(ShardAssignment a, Optional<WorkerIdentity.Ids> ids) throws IOException {
        int uid = ids.map(WorkerIdentity.Ids::uid).orElse(-1);
        if (a.checkpointDir() == null) {
            SafeFiles.ensureDir(workDir.resolve("checkpoints"), TRAVERSE, -1);
            Path dir = workDir.resolve("checkpoints").resolve(safe(a.jobId()));
            SafeFiles.ensureDir(dir, PRIVATE, uid);
            return dir;
        }
        Path dir = Path.of(a.checkpointDir());
        refuseLinks(dir);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!createBesideSiblings(dir, ids)) {
                createAsJob(dir, ids);
            }
        }
        PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
            throw new IOException("checkpointDir " + dir + " is a link or not a directory; refusing to use it");
        }
        int owner = SafeFiles.uidOf(dir);
        if (identity.isJobUid(owner) && owner != uid) {
            if (!resumes(a, dir) || ids.isEmpty()) {
                throw new IOException("checkpointDir " + dir + " belongs to another job (uid " + owner
                        + "); name a directory of this job's own");
            }
            adopt(dir, ids.get());
        }
        return dir;
    }

    /**
     * Refuses a checkpoint directory whose existing part passes through a symbolic link: ownership
     * is decided on the path as spelled (the scheduler's claims), so a planted link would put this
     * job's directory inside another user's tree. Regression (issue 27, N6).
     */
    private static void refuseLinks(Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        Path real = existing.toRealPath();
        if (!real.equals(existing.normalize())) {
            throw new IOException("checkpointDir " + dir + " passes through a symbolic link (" + existing + " is "
                    + real + "); name the real directory");
        }
    }

    /**
     * Whether {@code dir} is the earlier job's directory that this job resumes: only when the
     * scheduler says so ({@code resumesJob}, which it checked: same owner, finished), and only the
     * directory named after that job.
     */
    private static boolean resumes(ShardAssignment a, Path dir) {
        return a.resumesJob() != null && dir.getFileName() != null
                && dir.getFileName().toString().equals(a.resumesJob());
    }

    /** Hands an earlier job's checkpoint tree to this job's uid, changing links themselves and never following them. */
    private static void adopt(Path dir, WorkerIdentity.Ids ids) throws IOException {
        try (var tree = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.setAttribute(p, "unix:uid", ids.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", ids.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /**
     * A job's directory under a {@code checkpointDir} that an earlier job of the same user (another
     * uid) created: the agent makes it and hands it to this job, since this job's uid may not write
     * there. Only when that parent is a real directory owned by a job uid, so the agent never
     * creates anything where no job could. The scheduler lets only one user's jobs name a
     * checkpointDir. False when this does not apply.
     */
    private boolean createBesideSiblings(Path dir, Optional<WorkerIdentity.Ids> ids) throws IOException {
        Path parent = dir.getParent();
        if (ids.isEmpty() || parent == null || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int owner = SafeFiles.uidOf(parent);
        if (!identity.isJobUid(owner) || owner == ids.get().uid()) {
            return false;
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(PRIVATE)));
        Files.setAttribute(dir, "unix:uid", ids.get().uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:gid", ids.get().gid(), LinkOption.NOFOLLOW_LINKS);
        return true;
    }

    /** {@code mkdir -p -m 700 dir} with the job's rights (or the agent's own, when workers run as the agent). */
    private void createAsJob(Path dir, Optional<WorkerIdentity.Ids> ids) throws IOException {
        if (ids.isEmpty()) {
            Files.createDirectories(dir);
            return;
        }
        var r = launcher.runAs(ids.get(), List.of("mkdir", "-p", "-m", "700", "--", dir.toString()));
        if (!r.ok()) {
            Path existing = dir;
            while (existing.getParent() != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            Optional<PathReach.Blocked> blocked = PathReach.traverse(existing, new PathReach.Who(ids.get().uid(),
                    ids.get().gid(), ids.get().user()));
            throw new IOException("the job's user (" + ids.get().user() + ") cannot create its checkpointDir " + dir + ": "
                    + blocked.map(PathReach.Blocked::describe).orElse(r.describe("mkdir")));
        }
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
