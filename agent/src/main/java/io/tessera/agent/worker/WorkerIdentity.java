package io.tessera.agent.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a job's workers run as. Three modes:
 * <ul>
 *   <li><b>per job</b> (the default for a root agent): every job gets its own uid and gid from a
 *       configured range, like systemd's DynamicUser, so no job can read another's environment,
 *       memory, files or signal its processes. The allocation is the ownership of the job's shard
 *       directories on this node, so it survives agent restarts; the first choice is a hash of the
 *       job id, so the same job usually gets the same uid on every node.</li>
 *   <li><b>one user</b> ({@code workerUser}): every worker runs as that user; jobs are not isolated
 *       from each other.</li>
 *   <li><b>the agent's user</b> (an agent that is not root): no switch at all.</li>
 * </ul>
 * Not thread-safe; {@link WorkerSupervisor} guards it.
 */
public final class WorkerIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerIdentity.class);
    /** A numeric identity; {@code user} is a display name. */
    public record Ids(int uid, int gid, String user) {
    }

    private final Ids fixed;
    private final int first;
    private final int last;
    private final Map<String, Integer> byJob = new HashMap<>();

    private WorkerIdentity(Ids fixed, int first, int last) {
        this.fixed = fixed;
        this.first = first;
        this.last = last;
    }

    /** Workers run as the agent's own user. */
    public static WorkerIdentity agentUser() {
        return new WorkerIdentity(null, -1, -1);
    }

    /** Every worker runs as {@code user}; switching users needs the agent to run as root. */
    public static WorkerIdentity of(String user) {
        String me = System.getProperty("user.name");
        if (user == null || user.equals(me)) {
            return agentUser();
        }
        requireRoot("workerUser '" + user + "'");
        return new WorkerIdentity(new Ids(Integer.parseInt(id("-u", user)), Integer.parseInt(id("-g", user)), user), -1, -1);
    }

    /** Every job gets its own uid (and the same gid) from {@code [first, last]}. */
    public static WorkerIdentity perJob(int first, int last) {
        requireRoot("per-job worker uids (workerUids)");
        if (first < 1000 || last < first) {
            throw new IllegalStateException("workerUids must be a range of uids of 1000 or more, got " + first + "-" + last);
        }
        return new WorkerIdentity(null, first, last);
    }

    /** Whether workers run under another identity than the agent's (the launch then drops privileges). */
    public boolean switches() {
        return fixed != null || first > 0;
    }

    /**
     * Someone workers run as, for checking what they can reach: the one worker user, or the first
     * uid of the per-job range (every job uid is alike to directories no job owns); empty when
     * workers run as the agent's own user.
     */
    public Optional<PathReach.Who> sample() {
        if (fixed != null) {
            return Optional.of(new PathReach.Who(fixed.uid(), fixed.gid(), fixed.user()));
        }
        return perJob() ? Optional.of(new PathReach.Who(first, first, "per-job uids " + first + "-" + last)) : Optional.empty();
    }

    /** Whether each job gets its own uid. */
    public boolean perJob() {
        return first > 0;
    }

    /** Whether {@code uid} is one this agent hands to jobs. */
    public boolean isJobUid(int uid) {
        return perJob() && uid >= first && uid <= last;
    }

    /** The identity of {@code jobId}'s workers on this node, the agent picking the uid; see {@link #forJob(String, Integer)}. */
    public Optional<Ids> forJob(String jobId) {
        return forJob(jobId, null);
    }

    /**
     * The identity of {@code jobId}'s workers on this node; empty when workers run as the agent's
     * user. {@code assigned} is the uid the scheduler allocated for the job across the fleet (null
     * from a scheduler that allocates none): it is used when it lies in this agent's range, so the
     * job's files carry one uid on every node and on shared storage. A local job that still holds
     * it is one that finished (the scheduler gives a uid to one live job at a time) and loses it.
     */
    public Optional<Ids> forJob(String jobId, Integer assigned) {
        if (fixed != null) {
            return Optional.of(fixed);
        }
        if (!perJob()) {
            return Optional.empty();
        }
        Integer uid = byJob.get(jobId);
        if (assigned != null && isJobUid(assigned) && !assigned.equals(uid)) {
            byJob.values().removeIf(assigned::equals);
            uid = assigned;
            byJob.put(jobId, uid);
        } else if (uid == null) {
            if (assigned != null) {
                LOG.warn("job {}: the scheduler's uid {} is outside this agent's workerUids {}-{}; picking one here, so "
                        + "its files on shared storage may carry another uid than on other nodes", jobId, assigned, first, last);
            }
            uid = allocate(jobId);
            byJob.put(jobId, uid);
        }
        return Optional.of(new Ids(uid, uid, "tessera-" + uid));
    }

    /**
     * Learns the uids already handed out on this node: the owner of each {@code jobsDir/<job>/shard-*}
     * directory (written by an earlier run of the agent).
     */
    public void adopt(Path jobsDir) throws IOException {
        if (!perJob() || !Files.isDirectory(jobsDir)) {
            return;
        }
        try (Stream<Path> jobs = Files.list(jobsDir)) {
            for (Path job : jobs.toList()) {
                try (Stream<Path> shards = Files.list(job)) {
                    for (Path shard : shards.filter(p -> p.getFileName().toString().startsWith("shard-")).toList()) {
                        int uid = SafeFiles.uidOf(shard);
                        if (isJobUid(uid)) {
                            byJob.putIfAbsent(job.getFileName().toString(), uid);
                        }
                    }
                }
            }
        }
    }

    private int allocate(String jobId) {
        Set<Integer> taken = new HashSet<>(byJob.values());
        long size = (long) last - first + 1;
        if (taken.size() >= size) {
            throw new IllegalStateException("every uid in workerUids " + first + "-" + last + " is in use");
        }
        long start = Math.floorMod(jobId.hashCode() * 0x9E3779B9L, size);
        for (long i = 0; ; i++) {
            int uid = (int) (first + (start + i) % size);
            if (!taken.contains(uid)) {
                return uid;
            }
        }
    }

    private static void requireRoot(String what) {
        String me = System.getProperty("user.name");
        if (!"root".equals(me)) {
            throw new IllegalStateException(what + " needs the agent to run as root; it runs as " + me);
        }
    }

    private static String id(String flag, String user) {
        try {
            Process p = new ProcessBuilder("id", flag, user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || !out.matches("\\d+")) {
                throw new IllegalStateException("worker user '" + user + "' does not exist: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve worker user '" + user + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
