package io.tessera.scheduler.state;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.config.wire.ShardReport;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.config.QueueSpec;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.ThroughputProfile;
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
public interface ClusterStore extends ClusterReads {

    /** A job id, unique cluster-wide and increasing roughly with time. */
    long nextSequence();

    void insertJob(JobRecord job);

    /** Applies {@code change} atomically (retrying on contention); empty if the job does not exist. */
    Optional<JobRecord> updateJob(String id, UnaryOperator<JobRecord> change);

    /** Removes a job from hot state (it has moved to the history). */
    void deleteJob(String id);

    /**
     * Records that {@code name} was heard from at {@code nowMs}, without rewriting its record: a
     * heartbeat that changes nothing else costs one small, memory-only write. Every node read
     * (and the {@code old} value {@link #updateNode} passes on) carries the latest such time.
     */
    void touchNode(String name, long nowMs);

    /** Applies {@code change} to the node's record (empty if new) atomically; a null result deletes nothing and writes nothing. */
    Optional<NodeRecord> updateNode(String name, Function<Optional<NodeRecord>, NodeRecord> change);

    /** Stores reports, keeping for each shard the one of the newest attempt. */
    void recordShardReports(Collection<ShardReport> reports);

    /** Forgets a job's shard reports (before a new attempt). */
    void clearShardReports(String jobId, int shards);

    /**
     * What changed in the state, by key, after a write on any member: the key only, so the
     * listener re-reads what it needs. Calls come after the change is visible, on store threads;
     * in memory at once, on Hazelcast a little later. A key may be told more than once.
     */
    interface ChangeListener {
        default void jobChanged(String id) {
        }

        default void nodeChanged(String name) {
        }

        default void assignmentsChanged(String node) {
        }

        default void reportsChanged(String jobId) {
        }
    }

    /** Tells {@code listener} of every later change to jobs, nodes, assignment sets and shard reports. */
    void onChange(ChangeListener listener);

    /** Calls {@code listener} with the node name whenever a node's assignment set changes, on any member. */
    void onAssignmentsChanged(Consumer<String> listener);

    /**
     * An agent's stored credential: only its hash; whether an admin revoked the node; and whether
     * an admin readmitted it, which lets it enroll again without presenting its current credential.
     */
    record AgentCredential(String node, String sha256, boolean revoked, boolean readmitted) {
    }

    Optional<AgentCredential> credential(String node);

    void putCredential(AgentCredential credential);

    /**
     * A join token an admin issued through the API: only its hash is kept. It may be bound to one
     * node name, allows {@code usesLeft} enrollments, and expires.
     *
     * @param id          the first 16 hex digits of the hash; names it for revocation
     * @param sha256      the token's hash
     * @param node        the only node it enrolls, or null for any
     * @param usesLeft    enrollments it still allows
     * @param expiresAtMs epoch millis after which it is void
     */
    record JoinToken(String id, String sha256, String node, int usesLeft, long expiresAtMs) {
    }

    void putJoinToken(JoinToken token);

    /**
     * Spends one use of the token with hash {@code sha256} to enroll {@code node}, atomically;
     * false when it is unknown, spent, expired or bound to another node.
     */
    boolean useJoinToken(String sha256, String node, long nowMs);

    /** Revokes an issued join token; false if there was none with that id. */
    boolean deleteJoinToken(String id);

    /**
     * Records that {@code owner} uses checkpoint directory {@code dir}, unless another owner's
     * claimed directory is {@code dir}, inside it or contains it; then returns that owner and claims nothing.
     */
    Optional<String> claimCheckpointDir(String dir, String owner);

    /** Creates or replaces a queue definition. */
    void putQueue(QueueSpec queue);

    /** Removes a queue definition; false if there was none. */
    boolean deleteQueue(String name);


    /** The current leadership claim: member id and fencing epoch. */
    record LeaderClaim(String member, long epoch) {
    }

    /** Claims leadership for {@code member}: a new epoch, one higher than any before. */
    LeaderClaim claimLeadership(String member);

    /** The learned throughput profiles of job classes. */
    ProfileStore profiles();

    @Override
    default Optional<ThroughputProfile> profile(String key) {
        return profiles().get(key);
    }

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

        /** Writes a node's record (its heard-from time is kept apart and not changed). */
        void putNode(NodeRecord node);

        /** Removes a job from hot state. */
        void deleteJob(String id);

        /** Forgets the shard reports of a job's first {@code shards} shards. */
        void clearShardReports(String jobId, int shards);

        /**
         * Replaces the reserved jobs' predicted starts (job id to ISO-8601 time); not durable: a new
         * leader works them out again.
         */
        void putEstimatedStarts(Map<String, String> estimates);

        /** Creates or replaces a learned throughput profile. */
        void putProfile(ThroughputProfile profile);
    }

}
