package io.tessera.scheduler.state;

import io.tessera.config.wire.AssignmentSet;
import io.tessera.scheduler.model.JobRecord;
import io.tessera.scheduler.model.NodeRecord;
import io.tessera.scheduler.model.ThroughputProfile;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Cluster state, as one door composed of per-entity ports: {@link JobStore}, {@link NodeStore},
 * {@link AssignmentStore}, {@link QueueStore}, {@link CredentialStore}, {@link LeaderClaims} and
 * the {@link ProfileStore}, plus change notices and multi-key transactions. Each caller holds the
 * narrowest port it needs; the loop's stages hold the read port ({@link ClusterReads}). Adapters:
 * {@code state/hazelcast} (durable, written through by {@code state/jdbc}) and {@code state/memory}.
 * Everything above it is free of Hazelcast. All methods block and are thread-safe. Single-key
 * updates are compare-and-set; multi-key changes go through {@link #inTransaction}.
 */
public interface ClusterStore extends ClusterReads, JobStore, NodeStore, AssignmentStore, QueueStore, CredentialStore,
        LeaderClaims {

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

    /** The learned throughput profiles of job classes. */
    ProfileStore profiles();

    /** Each job's training curve while it is in hot state. */
    TelemetryStore telemetry();

    /** Each user's counted usage, for admission limits (read and written under the user's lock). */
    UsageLedger usageLedger();

    /** Per-job uids, unique across the fleet. */
    JobUids jobUids();

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
