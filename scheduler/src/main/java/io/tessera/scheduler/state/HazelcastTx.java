package io.tessera.scheduler.state;

import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionalMap;
import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.state.ClusterStore.LeaderClaim;
import java.util.Optional;

/** The store's transactional view over the job, node, assignment and leader maps: one transaction's reads and writes. */
final class HazelcastTx implements ClusterStore.Tx {
    private final TransactionalMap<String, String> jobs;
    private final TransactionalMap<String, String> nodes;
    private final TransactionalMap<String, String> assignments;
    private final TransactionalMap<String, String> leader;

    HazelcastTx(TransactionContext ctx) {
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
        return Optional.ofNullable(Codec.decode(nodes.getForUpdate(name), NodeRecord.class));
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
}
