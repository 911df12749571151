package io.tessera.scheduler.state.memory;

import io.tessera.scheduler.state.ProfileStore;
import io.tessera.scheduler.state.TelemetryStore;
import io.tessera.scheduler.state.CheckpointClaims;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.CredentialStore;
import io.tessera.scheduler.state.UsageLedger;
import io.tessera.scheduler.state.JobUids;
import java.util.Set;
import java.util.TreeSet;
import io.tessera.config.QueueSpec;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link ClusterStore} in this process's memory, for tests, the simulator and a member that needs
 * no sharing: records are kept as the immutable objects they are (no encoding). Reads are
 * lock-free; every write and every transaction holds one monitor, so transactions are
 * serializable. Listeners are told of changes after the write, on the writer's thread.
 */
public final class InMemoryClusterStore implements ClusterStore {
    private final TelemetryStore telemetry = TelemetryStore.inMemory();
    final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    final Map<String, NodeRecord> nodes = new ConcurrentHashMap<>();
    private final Map<String, Long> heard = new ConcurrentHashMap<>();
    final Map<String, AssignmentSet> assignments = new ConcurrentHashMap<>();
    final Map<String, ShardReport> reports = new ConcurrentHashMap<>();
    private final CredentialStore credentialStore = new InMemoryCredentialStore();
    private final Map<String, String> checkpointOwners = new ConcurrentHashMap<>();
    private final ProfileStore profiles = ProfileStore.inMemory();
    private final UsageLedger usageLedger = UsageLedger.inMemory();
    private final JobUids jobUids = JobUids.inMemory();
    private final Map<String, QueueSpec> queues = new ConcurrentHashMap<>();
    volatile Map<String, String> estimates = Map.of();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final List<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() << 16);
    volatile LeaderClaim leader;

    @Override
    public long nextSequence() {
        return sequence.incrementAndGet();
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    @Override
    public <T> T exclusively(String key, Supplier<T> action) {
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            return action.get();
        }
    }

    @Override
    public void insertJob(JobRecord job) {
        synchronized (this) {
            if (jobs.putIfAbsent(job.id(), job) != null) {
                throw new IllegalStateException("job " + job.id() + " already exists");
            }
        }
        changeListeners.forEach(l -> l.jobChanged(job.id()));
    }

    @Override
    public void onChange(ChangeListener listener) {
        changeListeners.add(listener);
    }

    @Override
    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public Collection<JobRecord> jobs() {
        return List.copyOf(jobs.values());
    }

    @Override
    public Optional<JobRecord> updateJob(String id, UnaryOperator<JobRecord> change) {
        JobRecord old;
        JobRecord next;
        synchronized (this) {
            old = jobs.get(id);
            if (old == null) {
                return Optional.empty();
            }
            next = change.apply(old);
            if (next != null) {
                jobs.put(id, next);
            }
        }
        if (next != null && !next.equals(old)) {
            changeListeners.forEach(l -> l.jobChanged(id));
        }
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public void deleteJob(String id) {
        boolean removed;
        synchronized (this) {
            removed = jobs.remove(id) != null;
        }
        if (removed) {
            changeListeners.forEach(l -> l.jobChanged(id));
        }
    }

    @Override
    public Optional<NodeRecord> node(String name) {
        return Optional.ofNullable(nodes.get(name)).map(n -> n.heardAt(heard.get(name)));
    }

    @Override
    public Collection<NodeRecord> nodes() {
        return nodes.values().stream().map(n -> n.heardAt(heard.get(n.name()))).toList();
    }

    @Override
    public Map<String, Long> heardTimes() {
        return Map.copyOf(heard);
    }

    @Override
    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public void touchNode(String name, long nowMs) {
        heard.put(name, nowMs);
    }

    @Override
    public Optional<NodeRecord> updateNode(String name, Function<Optional<NodeRecord>, NodeRecord> change) {
        NodeRecord old;
        NodeRecord next;
        synchronized (this) {
            old = nodes.get(name);
            next = change.apply(node(name));
            if (next != null) {
                nodes.put(name, next);
            }
        }
        if (next != null && !next.equals(old)) {
            changeListeners.forEach(l -> l.nodeChanged(name));
        }
        return node(name);
    }

    @Override
    public AssignmentSet assignments(String node) {
        return assignments.getOrDefault(node, AssignmentSet.empty(node));
    }

    @Override
    public Map<String, AssignmentSet> allAssignments() {
        return Map.copyOf(assignments);
    }

    @Override
    public void recordShardReports(Collection<ShardReport> incoming) {
        Set<String> changed = new TreeSet<>();
        synchronized (this) {
            for (ShardReport r : incoming) {
                ShardReport before = reports.get(r.key());
                ShardReport after = reports.merge(r.key(), r, (prev, next) -> prev.newerThan(next) ? prev : next);
                if (!after.equals(before)) {
                    changed.add(r.jobId());
                }
            }
        }
        changed.forEach(job -> changeListeners.forEach(l -> l.reportsChanged(job)));
    }

    @Override
    public Map<Integer, ShardReport> shardReports(String jobId, int shards) {
        Map<Integer, ShardReport> out = new HashMap<>();
        for (int i = 0; i < shards; i++) {
            ShardReport r = reports.get(jobId + "/" + i);
            if (r != null) {
                out.put(r.shard(), r);
            }
        }
        return out;
    }

    @Override
    public void clearShardReports(String jobId, int shards) {
        boolean any = false;
        synchronized (this) {
            for (int i = 0; i < shards; i++) {
                any |= reports.remove(jobId + "/" + i) != null;
            }
        }
        if (any) {
            changeListeners.forEach(l -> l.reportsChanged(jobId));
        }
    }

    @Override
    public void onAssignmentsChanged(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<AgentCredential> credential(String node) {
        return credentialStore.credential(node);
    }

    @Override
    public void putCredential(AgentCredential credential) {
        credentialStore.putCredential(credential);
    }

    @Override
    public void putJoinToken(JoinToken token) {
        credentialStore.putJoinToken(token);
    }

    @Override
    public boolean replaceCredential(AgentCredential expected, AgentCredential next) {
        return credentialStore.replaceCredential(expected, next);
    }

    @Override
    public boolean putJoinTokenIfAbsent(JoinToken token) {
        return credentialStore.putJoinTokenIfAbsent(token);
    }

    @Override
    public boolean useJoinToken(String sha256, String node, long nowMs) {
        return credentialStore.useJoinToken(sha256, node, nowMs);
    }

    @Override
    public boolean deleteJoinToken(String id) {
        return credentialStore.deleteJoinToken(id);
    }

    @Override
    public synchronized Optional<String> claimCheckpointDir(String dir, String owner) {
        Optional<String> other = CheckpointClaims.conflict(checkpointOwners, dir, owner);
        if (other.isEmpty()) {
            checkpointOwners.putIfAbsent(dir, owner);
        }
        return other;
    }

    @Override
    public synchronized LeaderClaim claimLeadership(String member) {
        leader = new LeaderClaim(member, leader == null ? 1 : leader.epoch() + 1);
        return leader;
    }

    @Override
    public synchronized Optional<LeaderClaim> currentClaim() {
        return Optional.ofNullable(leader);
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        StagedTx tx = new StagedTx(this);
        T result;
        synchronized (this) {
            result = work.apply(tx);
            tx.commit();
        }
        tx.nodes.keySet().forEach(name -> changeListeners.forEach(l -> l.nodeChanged(name)));
        tx.assignments.keySet().forEach(node -> listeners.forEach(l -> l.accept(node)));
        tx.jobs.keySet().forEach(id -> changeListeners.forEach(l -> l.jobChanged(id)));
        tx.deletedJobs.forEach(id -> changeListeners.forEach(l -> l.jobChanged(id)));
        tx.assignments.keySet().forEach(node -> changeListeners.forEach(l -> l.assignmentsChanged(node)));
        tx.clearedReports.keySet().forEach(id -> changeListeners.forEach(l -> l.reportsChanged(id)));
        return result;
    }

    /** One transaction's writes, staged until it commits under the store's monitor. */

    @Override
    public TelemetryStore telemetry() {
        return telemetry;
    }

    @Override
    public UsageLedger usageLedger() {
        return usageLedger;
    }

    @Override
    public JobUids jobUids() {
        return jobUids;
    }

    @Override
    public ProfileStore profiles() {
        return profiles;
    }

    @Override
    public Map<String, QueueSpec> queues() {
        return new TreeMap<>(queues);
    }

    @Override
    public Optional<QueueSpec> queue(String name) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public void putQueue(QueueSpec queue) {
        queues.put(queue.name(), queue);
    }

    @Override
    public boolean deleteQueue(String name) {
        return queues.remove(name) != null;
    }

    @Override
    public Optional<String> estimatedStart(String jobId) {
        return Optional.ofNullable(estimates.get(jobId));
    }
}
