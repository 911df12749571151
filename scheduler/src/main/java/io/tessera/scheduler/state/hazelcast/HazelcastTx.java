package io.tessera.scheduler.state.hazelcast;

import io.tessera.scheduler.state.ClusterStore;
import io.tessera.scheduler.state.Codec;
import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionalMap;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import io.tessera.scheduler.state.LeaderClaims.LeaderClaim;
import java.util.Map;
import java.util.Optional;

/** The store's transactional view over the job, node, assignment and leader maps: one transaction's reads and writes. */
final class HazelcastTx implements ClusterStore.Tx {
    private final TransactionalMap<String, String> jobs;
    private final TransactionalMap<String, String> nodes;
    private final TransactionalMap<String, String> assignments;
    private final TransactionalMap<String, String> leader;
    private final TransactionalMap<String, String> reports;
    private final TransactionalMap<String, String> estimates;
    private final TransactionalMap<String, String> profiles;
    private final Map<String, Long> heard;

    /** @param heard when each node was last heard from: memory only, read outside the transaction */
    HazelcastTx(TransactionContext ctx, Map<String, Long> heard) {
        this.heard = heard;
        this.reports = ctx.getMap(HazelcastClusterStore.REPORTS);
        this.estimates = ctx.getMap(HazelcastClusterStore.ESTIMATES);
        this.profiles = ctx.getMap(HazelcastClusterStore.PROFILES);
        this.leader = ctx.getMap(HazelcastClusterStore.LEADER);
        this.jobs = ctx.getMap(HazelcastClusterStore.JOBS);
        this.nodes = ctx.getMap(HazelcastClusterStore.NODES);
        this.assignments = ctx.getMap(HazelcastClusterStore.ASSIGNMENTS);
    }

    @Override
    public Optional<JobRecord> jobForUpdate(String id) {
        return Optional.ofNullable(Codec.decode(jobs.getForUpdate(id), JobRecord.class));
    }

    @Override
    public void putJob(JobRecord job) {
        jobs.set(job.id(), Codec.encode(job));
    }

    @Override
    public Optional<NodeRecord> nodeForUpdate(String name) {
        return Optional.ofNullable(Codec.decode(nodes.getForUpdate(name), NodeRecord.class)).map(n -> n.heardAt(heard.get(name)));
    }

    @Override
    public AssignmentSet assignmentsForUpdate(String node) {
        AssignmentSet set = Codec.decode(assignments.getForUpdate(node), AssignmentSet.class);
        return set == null ? AssignmentSet.empty(node) : set;
    }

    @Override
    public void putAssignments(AssignmentSet set) {
        assignments.set(set.node(), Codec.encode(set));
    }

    @Override
    public Optional<LeaderClaim> leaderForUpdate() {
        return Optional.ofNullable(Codec.decode(leader.getForUpdate(HazelcastClusterStore.CLAIM), LeaderClaim.class));
    }

    @Override
    public void putNode(NodeRecord node) {
        nodes.set(node.name(), Codec.encode(node));
    }

    @Override
    public void deleteJob(String id) {
        jobs.delete(id);
    }

    @Override
    public void clearShardReports(String jobId, int shards) {
        for (int i = 0; i < shards; i++) {
            reports.delete(jobId + "/" + i);
        }
    }

    @Override
    public void putEstimatedStarts(Map<String, String> next) {
        for (String id : estimates.keySet()) {
            if (!next.containsKey(id)) {
                estimates.delete(id);
            }
        }
        next.forEach((id, at) -> {
            if (!at.equals(estimates.get(id))) {
                estimates.set(id, at);
            }
        });
    }

    @Override
    public void putProfile(ThroughputProfile profile) {
        profiles.set(profile.key(), Codec.encode(profile));
    }
}
