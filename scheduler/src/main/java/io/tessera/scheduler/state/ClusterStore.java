package io.tessera.scheduler.state;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Cluster state: nodes, jobs, per-node assignment sets and shard reports. The only door to the
 * state grid; everything above it is free of Hazelcast. All methods block and are thread-safe.
 * Single-key updates are compare-and-set; multi-key changes go through {@link #inTransaction}.
 */
public interface ClusterStore {

    /** A job id, unique cluster-wide and increasing roughly with time. */
    long nextSequence();

    void insertJob(JobRecord job);

    Optional<JobRecord> job(String id);

    Collection<JobRecord> jobs();

    /** Applies {@code change} atomically (retrying on contention); empty if the job does not exist. */
    Optional<JobRecord> updateJob(String id, UnaryOperator<JobRecord> change);

    Optional<NodeRecord> node(String name);

    Collection<NodeRecord> nodes();

    /** Applies {@code change} to the node's record (empty if new) atomically; a null result deletes nothing and writes nothing. */
    Optional<NodeRecord> updateNode(String name, Function<Optional<NodeRecord>, NodeRecord> change);

    AssignmentSet assignments(String node);

    Map<String, AssignmentSet> allAssignments();

    /** Stores reports, keeping for each shard the one of the newest attempt. */
    void recordShardReports(Collection<ShardReport> reports);

    /** The latest reports of a job's shards, by shard index. */
    Map<Integer, ShardReport> shardReports(String jobId, int shards);

    /** Forgets a job's shard reports (before a new attempt). */
    void clearShardReports(String jobId, int shards);

    /** Calls {@code listener} with the node name whenever a node's assignment set changes, on any member. */
    void onAssignmentsChanged(Consumer<String> listener);

    /** An agent's stored credential: only its hash, and whether an admin revoked the node. */
    record AgentCredential(String node, String sha256, boolean revoked) {
    }

    Optional<AgentCredential> credential(String node);

    void putCredential(AgentCredential credential);

    /** The current leadership claim: member id and fencing epoch. */
    record LeaderClaim(String member, long epoch) {
    }

    /** Claims leadership for {@code member}: a new epoch, one higher than any before. */
    LeaderClaim claimLeadership(String member);

    /** Runs {@code work} in one atomic transaction; it commits unless {@code work} throws. */
    <T> T inTransaction(Function<Tx, T> work);

    /** Reads and writes inside a transaction; reads lock the key until commit. */
    interface Tx {
        Optional<JobRecord> jobForUpdate(String id);

        void putJob(JobRecord job);

        Optional<NodeRecord> nodeForUpdate(String name);

        AssignmentSet assignmentsForUpdate(String node);

        void putAssignments(AssignmentSet set);

        /** The current leadership claim, locked until commit. */
        Optional<LeaderClaim> leaderForUpdate();
    }

}
