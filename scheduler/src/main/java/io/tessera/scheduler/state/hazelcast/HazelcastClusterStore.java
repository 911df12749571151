package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.state.ProfileStore;
import io.tessera.scheduler.state.TelemetryStore;
import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.CredentialStore;
import io.tessera.scheduler.state.UsageLedger;
import io.tessera.scheduler.state.JobUids;
import io.tessera.scheduler.state.Codec;
import io.tessera.config.QueueSpec;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionOptions;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link ClusterStore} on Hazelcast IMaps holding JSON strings. Every read reads the map; a
 * {@link DecodeCache} per map decodes each distinct value only once, so a pass that reads an
 * unchanged fleet costs string comparisons, not JSON decoding. Single-key updates are
 * optimistic compare-and-set loops ({@code replace(key, old, new)}); transactions are
 * Hazelcast TWO_PHASE transactions, whose reads-for-update lock keys against those CAS writers.
 */
public final class HazelcastClusterStore implements ClusterStore {
    static final String JOBS = "tessera.jobs";
    static final String NODES = "tessera.nodes";
    static final String ASSIGNMENTS = "tessera.assignments";
    static final String REPORTS = "tessera.shardReports";
    static final String CREDENTIALS = "tessera.agentCredentials";
    static final String LEADER = "tessera.leader";
    static final String JOIN_TOKENS = "tessera.joinTokens";
    static final String JOB_UIDS = "tessera.jobUids";
    static final String CHECKPOINT_OWNERS = "tessera.checkpointOwners";
    /** The key whose lock serializes checkpoint claims (never written). */
    static final String QUEUES = "tessera.queues";
    static final String PROFILES = "tessera.profiles";
    static final String TELEMETRY = "tessera.telemetry";
    static final String FLEET_USAGE = "tessera.fleet-usage";
    /** Not durable: the leader works reservations out again each pass. */
    static final String ESTIMATES = "tessera.estimates";
    /** When each node was last heard from; memory only (a new leader gives every node a grace period anyway). */
    static final String HEARD = "tessera.heard";
    static final String CLAIM = "claim";

    private final HazelcastInstance hz;
    private final IMap<String, String> jobs;
    private final IMap<String, String> nodes;
    private final IMap<String, String> assignments;
    private final IMap<String, String> reports;
    private final IMap<String, String> leader;
    private final CredentialStore credentialStore;
    private final IMap<String, String> checkpointOwners;
    private final HazelcastQueueMaps queueMaps;
    private final ProfileStore profiles;
    private final UsageLedger usageLedger;
    private final JobUids jobUids;
    private final TelemetryStore telemetry;
    private final IMap<String, Long> heard;

    private final DecodeCache<JobRecord> jobCache = new DecodeCache<>(JobRecord.class);
    private final DecodeCache<NodeRecord> nodeCache = new DecodeCache<>(NodeRecord.class);
    private final DecodeCache<AssignmentSet> assignmentCache = new DecodeCache<>(AssignmentSet.class);

    public HazelcastClusterStore(HazelcastInstance hz) {
        this.leader = hz.getMap(LEADER);
        this.credentialStore = new HazelcastCredentialStore(hz.getMap(CREDENTIALS), hz.getMap(JOIN_TOKENS));
        this.checkpointOwners = hz.getMap(CHECKPOINT_OWNERS);
        this.queueMaps = new HazelcastQueueMaps(hz.getMap(QUEUES), hz.getMap(ESTIMATES));
        this.profiles = new HazelcastProfileStore(hz.getMap(PROFILES));
        this.usageLedger = new HazelcastUsageLedger(hz.getMap("tessera.userUsage"));
        this.jobUids = new HazelcastJobUids(hz.getMap(JOB_UIDS));
        this.telemetry = new HazelcastTelemetryStore(hz.getMap(TELEMETRY), hz.getMap(FLEET_USAGE));
        this.heard = hz.getMap(HEARD);
        this.hz = hz;
        this.jobs = hz.getMap(JOBS);
        this.nodes = hz.getMap(NODES);
        this.assignments = hz.getMap(ASSIGNMENTS);
        this.reports = hz.getMap(REPORTS);
    }

    @Override
    public long nextSequence() {
        return hz.getFlakeIdGenerator("tessera.jobIds").newId();
    }

    @Override
    public void insertJob(JobRecord job) {
        if (jobs.putIfAbsent(job.id(), Codec.encode(job)) != null) {
            throw new IllegalStateException("job " + job.id() + " already exists");
        }
    }

    @Override
    public <T> T exclusively(String key, Supplier<T> action) {
        String lock = "~lock:" + key; // a key no job has; locking it writes nothing
        jobs.lock(lock);
        try {
            return action.get();
        } finally {
            jobs.unlock(lock);
        }
    }

    @Override
    public Optional<JobRecord> job(String id) {
        return Optional.ofNullable(jobCache.decode(id, jobs.get(id)));
    }

    @Override
    public Collection<JobRecord> jobs() {
        return all(jobs, jobCache).values();
    }

    /** Every entry of {@code map}, each decoded through {@code cache}. */
    private static <V> Map<String, V> all(IMap<String, String> map, DecodeCache<V> cache) {
        Map<String, V> out = new HashMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.put(e.getKey(), cache.decode(e.getKey(), e.getValue()));
        }
        cache.trim(out.keySet());
        return out;
    }

    @Override
    public Optional<JobRecord> updateJob(String id, UnaryOperator<JobRecord> change) {
        String stored = cas(jobs, id, old -> old == null ? null
                : Codec.encode(change.apply(Codec.decode(old, JobRecord.class))));
        return Optional.ofNullable(Codec.decode(stored, JobRecord.class));
    }

    @Override
    public void deleteJob(String id) {
        jobs.delete(id);
    }

    @Override
    public Optional<NodeRecord> node(String name) {
        return Optional.ofNullable(nodeCache.decode(name, nodes.get(name))).map(n -> n.heardAt(heard.get(name)));
    }

    @Override
    public Collection<NodeRecord> nodes() {
        Map<String, Long> times = heardTimes();
        return all(nodes, nodeCache).values().stream().map(n -> n.heardAt(times.get(n.name()))).toList();
    }

    @Override
    public Map<String, Long> heardTimes() {
        Map<String, Long> times = new HashMap<>();
        heard.forEach(times::put);
        return times;
    }

    @Override
    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public void touchNode(String name, long nowMs) {
        heard.set(name, nowMs);
    }

    @Override
    public Optional<NodeRecord> updateNode(String name, Function<Optional<NodeRecord>, NodeRecord> change) {
        String stored = cas(nodes, name, old -> {
            NodeRecord current = old == null ? null : nodeCache.decode(name, old).heardAt(heard.get(name));
            NodeRecord next = change.apply(Optional.ofNullable(current));
            return next == null ? old : Codec.encode(next);
        });
        return Optional.ofNullable(nodeCache.decode(name, stored)).map(n -> n.heardAt(heard.get(name)));
    }

    @Override
    public AssignmentSet assignments(String node) {
        AssignmentSet set = assignmentCache.decode(node, assignments.get(node));
        return set == null ? AssignmentSet.empty(node) : set;
    }

    @Override
    public Map<String, AssignmentSet> allAssignments() {
        return all(assignments, assignmentCache);
    }

    @Override
    public void recordShardReports(Collection<ShardReport> incoming) {
        for (ShardReport r : incoming) {
            String encoded = Codec.encode(r);
            cas(reports, r.key(), old -> {
                ShardReport prev = Codec.decode(old, ShardReport.class);
                return prev != null && prev.newerThan(r) ? old : encoded;
            });
        }
    }

    @Override
    public Map<String, Map<Integer, ShardReport>> shardReports(Map<String, Integer> shardsByJob) {
        Set<String> keys = new HashSet<>();
        Map<String, Map<Integer, ShardReport>> out = new HashMap<>();
        shardsByJob.forEach((job, shards) -> {
            out.put(job, new HashMap<>());
            for (int i = 0; i < shards; i++) {
                keys.add(job + "/" + i);
            }
        });
        if (!keys.isEmpty()) {
            reports.getAll(keys).values().forEach(v -> {
                ShardReport r = Codec.decode(v, ShardReport.class);
                out.computeIfAbsent(r.jobId(), k -> new HashMap<>()).put(r.shard(), r);
            });
        }
        return out;
    }

    @Override
    public Map<Integer, ShardReport> shardReports(String jobId, int shards) {
        return shardReports(Map.of(jobId, shards)).get(jobId);
    }

    @Override
    public void clearShardReports(String jobId, int shards) {
        for (int i = 0; i < shards; i++) {
            reports.delete(jobId + "/" + i);
        }
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
    public boolean replaceCredential(AgentCredential expected, AgentCredential next) {
        return credentialStore.replaceCredential(expected, next);
    }

    @Override
    public void putJoinToken(JoinToken token) {
        credentialStore.putJoinToken(token);
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
    public Optional<String> claimCheckpointDir(String dir, String owner) {
        return HazelcastCheckpointClaims.claim(checkpointOwners, dir, owner);
    }

    @Override
    public boolean deleteJoinToken(String id) {
        return credentialStore.deleteJoinToken(id);
    }

    @Override
    public LeaderClaim claimLeadership(String member) {
        String stored = cas(leader, CLAIM, old -> {
            LeaderClaim prev = Codec.decode(old, LeaderClaim.class);
            return Codec.encode(new LeaderClaim(member, prev == null ? 1 : prev.epoch() + 1));
        });
        return Codec.decode(stored, LeaderClaim.class);
    }

    @Override
    public Optional<LeaderClaim> currentClaim() {
        return Optional.ofNullable(Codec.decode(leader.get(CLAIM), LeaderClaim.class));
    }

    @Override
    public void onChange(ChangeListener listener) {
        jobs.addEntryListener(new KeyListener(listener::jobChanged), false);
        nodes.addEntryListener(new KeyListener(listener::nodeChanged), false);
        assignments.addEntryListener(new KeyListener(listener::assignmentsChanged), false);
        reports.addEntryListener(new KeyListener(key -> listener.reportsChanged(key.substring(0, key.lastIndexOf('/')))),
                false);
    }

    @Override
    public void onAssignmentsChanged(Consumer<String> listener) {
        assignments.addEntryListener(new KeyListener(listener), false);
    }

    /**
     * Optimistic read-modify-write of one key: {@code change} maps the current value (null when
     * absent) to the new one (null or the same value: write nothing). Returns what is stored after.
     */
    static String cas(IMap<String, String> map, String key, UnaryOperator<String> change) {
        while (true) {
            String old = map.get(key);
            String next = change.apply(old);
            if (next == null || next.equals(old)) {
                return old;
            }
            boolean done = old == null ? map.putIfAbsent(key, next) == null : map.replace(key, old, next);
            if (done) {
                return next;
            }
        }
    }

    /**
     * How long a transaction may last, and so how long its locks ({@code getForUpdate}) are leased:
     * a member that dies inside a commit keeps its keys locked until then, the leader's fencing key
     * included, so this bounds how long a new leader's claim can wait behind a dead one. A commit
     * takes milliseconds; one that overran would fail, and its changes be decided again next pass.
     * (It was 30 s: a leader killed mid-commit stalled the takeover that long.)
     */
    public static final long TX_TIMEOUT_MS = 5_000;

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        TransactionOptions options = new TransactionOptions()
                .setTransactionType(TransactionOptions.TransactionType.TWO_PHASE)
                .setTimeout(TX_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        TransactionContext ctx = hz.newTransactionContext(options);
        ctx.beginTransaction();
        try {
            T result = work.apply(new HazelcastTx(ctx, heard));
            ctx.commitTransaction();
            return result;
        } catch (RuntimeException e) {
            ctx.rollbackTransaction();
            throw e;
        }
    }

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
        return queueMaps.queues();
    }

    @Override
    public Optional<QueueSpec> queue(String name) {
        return queueMaps.queue(name);
    }

    @Override
    public void putQueue(QueueSpec queue) {
        queueMaps.put(queue);
    }

    @Override
    public boolean deleteQueue(String name) {
        return queueMaps.delete(name);
    }

    @Override
    public Optional<String> estimatedStart(String jobId) {
        return queueMaps.estimatedStart(jobId);
    }
}
